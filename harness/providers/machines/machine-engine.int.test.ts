/**
 * The bounded waits of the machines provider, on real containers of the machine image (no engine
 * inside, no privileges): a machine that never gets ready fails after the bound with its log tail;
 * one that exits fails at once with its exit code and log; an exec is bounded and never throws on a
 * non-zero exit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerClient } from "../../engine/docker-client.ts";
import { ensureMachineImage } from "../../images/build-images.ts";
import { LABEL_RUN, runLabels } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import { newRunId } from "../../lab/run-id.ts";
import { stderrProgress } from "../../progress/progress.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { freePort } from "../testcontainers/free-port.ts";
import { execIn, waitMachineReady } from "./machine-engine.ts";

const runId = newRunId();
let image = "";

async function fakeMachine(name: string, script: string) {
  const c = await dockerClient().createContainer({
    name: `${runId}-${name}`,
    Image: image,
    Entrypoint: ["sh", "-c", script],
    Labels: runLabels(runId, "hardened"),
    StopSignal: "SIGKILL",
  });
  await c.start();
  return c;
}

describe("machine readiness and exec, bounded", () => {
  beforeAll(async () => {
    image = (await ensureMachineImage(resolveSettings().clusterDir, stderrProgress({ prefix: "machine" })))
      .tag;
  }, 600_000);
  afterAll(() => removeLabeled([`${LABEL_RUN}=${runId}`]));

  it("a machine that never answers fails after the bound, with its log tail", async () => {
    await fakeMachine("stuck", "echo 'machine-init: stuck before sshd'; exec sleep 300");
    const t0 = performance.now();
    const err = await waitMachineReady(dockerClient(), `${runId}-stuck`, await freePort(), 3000).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /not ready after 3 s \(its Docker engine is not running yet\); its log:/,
    );
    expect((err as Error).message).toContain("machine-init: stuck before sshd");
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it("a machine that exits fails at once, with its exit code and log", async () => {
    await fakeMachine("dead", "echo 'machine-init: the Docker engine did not start'; exit 3");
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    const err = await waitMachineReady(dockerClient(), `${runId}-dead`, await freePort(), 60_000).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).toMatch(/exited \(code 3\) before it was ready/);
    expect((err as Error).message).toContain("the Docker engine did not start");
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it("exec returns output and exit code, and reports a command past its bound as 124", async () => {
    const c = await fakeMachine("shell", "exec sleep 300");
    // stdout and stderr arrive as two streams: their lines interleave in either order.
    const r = await execIn(c, ["sh", "-c", "id -u; echo oops >&2; exit 7"], 10_000);
    expect(r.exitCode).toBe(7);
    expect(r.output.split("\n").sort()).toEqual(["", "0", "oops"]);
    const slow = await execIn(c, ["sh", "-c", "echo started; sleep 30"], 1000);
    expect(slow.exitCode).toBe(124);
    expect(slow.output).toMatch(/^started\n[\s\S]*timed out after 1 s/);
  });
});
