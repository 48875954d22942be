import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { slaveState } from "../../db/replication.ts";
import { startLab } from "../start-lab.ts";
import { newRunId } from "../../lab/run-id.ts";
import type { Mutation } from "../../config/mutation.ts";
import { replaceOnce } from "../../mutants/text-edit.ts";
import { stderrProgress } from "../../progress/progress.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { leftovers } from "../../testing/lab-assertions.ts";

const settings = resolveSettings();
const progress = stderrProgress({ prefix: "mutation" });

/** A file as the running container sees it. */
function catIn(container: string, file: string): string {
  return execFileSync("docker", ["exec", container, "cat", file], {
    encoding: "utf8",
    timeout: 30_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

describe("the testcontainers provider plants a mutation", () => {
  it("the lab runs the mutated configuration, profile settings and files", async () => {
    const mutation: Mutation = {
      name: "test-plant",
      config: (c) => ({
        ...c,
        haproxy: replaceOnce(c.haproxy, "timeout check 500ms", "timeout check 600ms", "haproxy.cfg"),
      }),
      profile: (p) => ({ ...p, replication: { ...p.replication, connectRetrySeconds: 7 } }),
      files: [{ alias: "node1-app", path: "/app/todo/planted_marker.py", content: "PLANTED = True\n" }],
    };
    const lab = await startLab({ profile: "hardened", settings, progress, mutation });
    try {
      expect(catIn(`${lab.runId}-haproxy`, "/etc/haproxy/haproxy.cfg")).toContain("timeout check 600ms");
      // The profile the replicas were set up with is the mutated one, on both nodes.
      for (const node of ["node1", "node2"] as const)
        expect((await slaveState(lab.endpoints.nodes[node].db))?.connectRetry).toBe(7);
      expect(catIn(`${lab.runId}-node1-app`, "/app/todo/planted_marker.py")).toBe("PLANTED = True\n");
      // Only the named service gets the file.
      expect(() => catIn(`${lab.runId}-node2-app`, "/app/todo/planted_marker.py")).toThrow();
    } finally {
      await lab.down();
    }
    expect(await leftovers(lab.runId)).toEqual([]);
  });

  it("a lab that fails to come up quotes the failing container's log tail (the Python traceback's last line)", async () => {
    const wsgi = readFileSync(path.join(settings.clusterDir, "app", "todo_site", "wsgi.py"), "utf8");
    const crash = replaceOnce(
      wsgi,
      "application = get_wsgi_application()\n",
      'raise RuntimeError("planted by firedrill: this wsgi module refuses to load")\n',
      "wsgi.py",
    );
    const runId = newRunId();
    const t0 = performance.now();
    const up = startLab({
      profile: "hardened",
      settings,
      progress,
      runId,
      mutation: {
        name: "gunicorn-crash",
        files: ["node1-app", "node2-app"].map((alias) => ({
          alias,
          path: "/app/todo_site/wsgi.py",
          content: crash,
        })),
      },
    });
    const err = (await up.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error | undefined;
    expect(err, "the lab came up with a crashing app").toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^node[12]-app did not start: /);
    expect(err!.message).toContain("--- last log lines of node");
    expect(err!.message).toContain("RuntimeError: planted by firedrill: this wsgi module refuses to load");
    // The exit is noticed at once, not after the 120 s startup timeout.
    expect((performance.now() - t0) / 1000).toBeLessThan(100);
    expect(await leftovers(runId)).toEqual([]);
  });
});
