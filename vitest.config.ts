import { defineConfig } from "vitest/config";

// The projects this invocation runs (`--project scenarios` → "scenarios"), to name its JUnit file.
const projectArgs = process.argv.flatMap((a, i, all) =>
  all[i - 1] === "--project" ? [a] : a.startsWith("--project=") ? [a.slice("--project=".length)] : [],
);

// Three projects: `unit` (pure, no engine), `integration` (a real lab per file), `scenarios` (the
// drills). The latter two share a global setup that prepares the engine and images once, in the main
// process, so parallel workers never race to build the same image. The unit and integration setups
// also install the host tools their tests drive where they may (harness/engine/host-tools.ts).
export default defineConfig({
  test: {
    // Retries would hide exactly the nondeterminism a chaos tool exists to find.
    retry: 0,
    // The default reporter (CI reads its closing summary line) plus JUnit for CI's test view:
    // reports/junit-scenarios.xml for `pnpm test:scenarios`, reports/junit-unit-integration.xml for `pnpm test`.
    // vitest's JUnit reporter, with each skipped test's reason as `<skipped message="…"/>`.
    reporters: [
      "default",
      [
        "./harness/testing/junit-reporter.ts",
        { outputFile: `reports/junit-${projectArgs.join("-") || "all"}.xml`, suiteName: "firedrill" },
      ],
    ],
    projects: [
      {
        test: {
          name: "unit",
          include: ["harness/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          // The host tools its tests drive (chromium, Ansible, Vagrant): a look when all are here.
          globalSetup: ["harness/testing/unit-setup.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["harness/**/*.int.test.ts", "cluster/**/*.int.test.ts"],
          globalSetup: ["harness/testing/global-setup.ts"],
          pool: "forks",
          // Two cores: one lab at a time keeps timings honest.
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: "scenarios",
          include: ["scenarios/**/*.drill.ts"],
          globalSetup: ["harness/testing/scenario-setup.ts"],
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
