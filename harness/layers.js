// The harness's layers, top to bottom, and within each its folders in order: a folder may import
// only the folders after it (in its own layer or a lower one), so imports point one way and the
// folders form no circle. eslint.config.js turns this list into its rules; ARCHITECTURE.md draws it.
// A new folder goes into this list, or the lint says it belongs nowhere.
export const layers = [
  { name: "entry", folders: ["cli", "bench", "testing", "ci"] },
  { name: "runs", folders: ["explore", "mutants", "drills"] },
  { name: "parts", folders: ["report", "checkers", "faults", "providers", "alerts", "metrics", "k6"] },
  { name: "services", folders: ["probes", "db", "lab", "images", "workload", "store", "history"] },
  { name: "base", folders: ["settings", "config", "engine", "topology", "progress", "util"] },
];
