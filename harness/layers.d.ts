/** harness/layers.js: the layers, top to bottom, each with its folders in order. */
export declare const layers: readonly { name: string; folders: readonly string[] }[];
