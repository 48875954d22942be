import { beforeEach, test } from "vitest";
import type { ProfileName } from "../config/profiles.ts";
import type { Lab } from "../lab/lab.ts";
import { startLab } from "../providers/start-lab.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";

/** A lab for one test file. The global setup already built images, so this is the warm path. */
export function startTestLab(profile: ProfileName): Promise<Lab> {
  return startLab({
    profile,
    settings: resolveSettings(),
    progress: stderrProgress({ prefix: `lab ${profile}` }),
  });
}

const DOWN_TIMEOUT_MS = 120_000;

async function boundedDown(lab: Lab): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`lab ${lab.runId}: down did not finish within ${DOWN_TIMEOUT_MS / 1000} s`)),
      DOWN_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([lab.down(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a test of `labTest` finds in its context. */
export interface LabContext {
  lab: Lab;
}

/**
 * `it` for a file whose tests share one lab: `const it = labTest("hardened")` at the file's top
 * level, then `it("…", async ({ lab }) => …)`. The lab is a file-scoped fixture: started once, when
 * a test first asks for it, and downed after the file's last test, however its tests ended.
 *
 * Vitest sets a fixture up inside the first test (or hook) that asks for it, under that one's
 * timeout. So this also registers a `beforeEach` that asks for the lab: a cold start gets a hook's
 * timeout (`startTimeoutMs`, else the project's hookTimeout) whichever test comes first, and each
 * test keeps its own timeout for itself. File fixtures a file adds with `.extend(…)` and
 * `{ scope: "file", auto: true }` are set up in that hook too, after the lab, as a `beforeAll` was.
 * `lab.down()` runs after the file's `afterAll` hooks; vitest puts no timeout on a teardown, so it is
 * bounded here (`DOWN_TIMEOUT_MS`): a hung engine fails the file instead of hanging the run.
 *
 * One lab a file: vitest keeps a file's fixtures by name, so two `labTest`s in one file (a
 * `describe.each` over profiles) would share the first's lab.
 */
export function labTest(profile: ProfileName, startTimeoutMs?: number) {
  const it = test.extend<LabContext>({
    lab: [
      // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern: none
      async ({}, use) => {
        const lab = await startTestLab(profile);
        try {
          await use(lab);
        } finally {
          await boundedDown(lab);
        }
      },
      { scope: "file" },
    ],
  });
  beforeEach<LabContext>(({ lab }) => void lab, startTimeoutMs);
  return it;
}
