// Lint with zero warnings (`--max-warnings 0`): a warning nobody acts on is noise.
import js from "@eslint/js";
import importX, { createNodeResolver } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";
import { layers } from "./harness/layers.js";

// Each folder of harness/ may not import any folder before it in the layer order (harness/layers.js).
const order = layers.flatMap((l) => l.folders);
const layerZones = order.slice(1).map((folder, i) => ({
  target: `./harness/${folder}`,
  from: order.slice(0, i + 1).map((above) => `./harness/${above}`),
  message: `harness/${folder} may import only what lies below it (harness/layers.js): move the shared piece down, or this code up`,
}));

const tests = ["**/*.test.ts", "**/fixtures/**", "**/*.fixture.ts"];

export default tseslint.config(
  { ignores: ["node_modules/", "reports/", "cluster/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
    },
  },
  // A promise nobody awaits loses its error (an unhandled rejection ends the process without the
  // heal), and one passed where a callback's result is ignored does too: type-aware, on the code.
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  // The shape: no import circle, and the layers point down (tests may reach across to drive a lab).
  {
    files: ["harness/**/*.ts"],
    ignores: tests,
    plugins: { "import-x": importX },
    // Imports name their .ts files: resolve them as written, so the cycle check sees every arrow.
    settings: {
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js"] })],
      "import-x/extensions": [".ts", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": ["error", { zones: layerZones }],
    },
  },
);
