import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { dockerClient } from "../engine/docker-client.ts";
import { LABEL_FIREDRILL, LABEL_PID, LABEL_RUN } from "../lab/labels.ts";
import { resolveSettings } from "../settings/settings.ts";
import { topology } from "../topology/topology.ts";
import { allFiredrill, leftovers } from "../testing/lab-assertions.ts";
import { waitUntil } from "../util/wait-until.ts";

const run = promisify(execFile);
const { repoRoot } = resolveSettings();
const cli = path.join(repoRoot, "bin", "firedrill.mjs");

async function firedrill(args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run("node", [cli, ...args], {
      cwd: repoRoot,
      env,
      maxBuffer: 16 << 20,
      timeout: 280_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The documented minimum of `up --json`: scripts may rely on exactly this.
const Db = z.object({
  host: z.literal("127.0.0.1"),
  port: z.number().int().positive(),
  user: z.string().min(1),
  password: z.string().min(12),
  rootPassword: z.string().min(12),
  database: z.string().min(1),
});
const Node = z.object({ app: z.object({ url: z.string().url() }), db: Db });
const UpJson = z.object({
  runId: z.string().regex(/^fd-/),
  profile: z.enum(["seed", "hardened"]),
  haproxy: z.object({ url: z.string().startsWith("http://127.0.0.1:") }),
  prometheus: z.object({ url: z.string().startsWith("http://127.0.0.1:") }),
  alertmanager: z.object({ url: z.string().startsWith("http://127.0.0.1:") }),
  nodes: z.object({ node1: Node, node2: Node }),
});

describe("firedrill CLI against the engine", () => {
  it("refuses bad input with one line and starts nothing", async () => {
    const before = await allFiredrill();
    for (const [args, message] of [
      [["up", "--profile", "nope"], /^firedrill up: unknown profile "nope"; use one of: seed, hardened\n$/],
      [["frobnicate"], /^firedrill: unknown command "frobnicate"; run `firedrill --help` for the list\n$/],
      [["up", "--verbose"], /^firedrill up: Unknown option '--verbose'.*\n$/],
    ] as const) {
      const r = await firedrill([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(await allFiredrill()).toEqual(before);
  });

  it("says what to do when no engine answers (and touches nothing)", async () => {
    const r = await firedrill(["up"], {
      ...process.env,
      DOCKER_HOST: "unix:///tmp/firedrill-no-engine.sock",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "firedrill up: no Docker engine answers at unix:///tmp/firedrill-no-engine.sock; start Docker (e.g. `sudo systemctl start docker`) or point DOCKER_HOST at a running engine, then run again\n",
    );
  });

  it.runIf(process.getuid?.() === 0)("as a non-root user: says what to do, installs nothing", async (ctx) => {
    // A checkout under a private directory (a 0700 temp dir) cannot be run by `nobody` at all.
    const readable = await run("runuser", ["-u", "nobody", "--", "test", "-r", cli]).then(
      () => true,
      () => false,
    );
    if (!readable)
      ctx.skip(`${repoRoot} is not readable by the user nobody, so the CLI cannot run as non-root here`);
    // runuser drops to `nobody`, who may not use the root-owned socket nor install an engine.
    const asNobody = async (env: NodeJS.ProcessEnv) => {
      try {
        await run("runuser", ["-u", "nobody", "--", "node", cli, "up"], {
          cwd: repoRoot,
          env,
          timeout: 60_000,
        });
        return { code: 0, stderr: "" };
      } catch (err) {
        return err as { code: number; stderr: string };
      }
    };
    const denied = await asNobody({ PATH: process.env.PATH });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toBe(
      "firedrill up: the Docker engine at unix:///var/run/docker.sock refuses this user (permission denied); add the user to the docker group and log in again, or run as root\n",
    );
    const none = await asNobody({
      PATH: process.env.PATH,
      DOCKER_HOST: "unix:///tmp/firedrill-no-engine.sock",
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^firedrill up: no Docker engine answers at unix:\/\/\/tmp\/firedrill-no-engine\.sock; start Docker/,
    );
  });

  it("Ctrl-C during up removes what the run started and exits 130", async () => {
    const child = spawn("node", [cli, "up", "--profile", "hardened"], {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const runId = await waitUntil(
      "the run creates its databases",
      async () => {
        const cs = await dockerClient().listContainers({
          all: true,
          filters: JSON.stringify({ label: [`${LABEL_FIREDRILL}=1`, `${LABEL_PID}=${child.pid}`] }),
        });
        return cs.length >= 2 ? cs[0]?.Labels[LABEL_RUN] : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("SIGINT received, removing this run's containers and network");
    expect(await leftovers(runId)).toEqual([]);
  });

  it("up --json, status, down; a run killed with SIGKILL is reaped by the next up", async () => {
    // A run killed mid-way: SIGKILL gives it no chance to clean up.
    const killed = spawn("node", [cli, "up", "--profile", "seed", "--quiet"], {
      cwd: repoRoot,
      stdio: "ignore",
    });
    const killedRun = await waitUntil(
      "the doomed run creates containers",
      async () => {
        const cs = await dockerClient().listContainers({
          all: true,
          filters: JSON.stringify({ label: [`${LABEL_FIREDRILL}=1`, `${LABEL_PID}=${killed.pid}`] }),
        });
        return cs[0]?.Labels[LABEL_RUN];
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    killed.kill("SIGKILL");
    await new Promise((r) => killed.once("exit", r));
    expect(await leftovers(killedRun)).not.toEqual([]);

    const up = await firedrill(["up", "--json", "--profile", "hardened"]);
    expect(up.code, up.stderr).toBe(0);
    const lab = UpJson.parse(JSON.parse(up.stdout));
    try {
      expect(up.stderr).toContain(`reaping lab ${killedRun}`);
      expect(await leftovers(killedRun)).toEqual([]);

      const home = await fetch(lab.haproxy.url);
      expect(home.status).toBe(200);
      expect(home.headers.get("x-served-by")).toBe("node1");

      const status = await firedrill(["status", "--json"]);
      expect(status.code).toBe(0);
      const runs = JSON.parse(status.stdout) as {
        runId: string;
        containers: unknown[];
        endpoints?: { runId: string };
      }[];
      const mine = runs.find((r) => r.runId === lab.runId);
      // One container per service that has an image here (Grafana has none on machines without a registry).
      expect(mine?.containers).toHaveLength(topology.filter((s) => s.image !== undefined).length);
      expect(mine?.endpoints?.runId).toBe(lab.runId);

      const down = await firedrill(["down"]);
      expect(down.code, down.stderr).toBe(0);
      expect(await allFiredrill()).toEqual([]);
      const after = await firedrill(["status"]);
      expect(after.stdout).toBe("no lab is running\n");
    } finally {
      // A failed assertion above must not leave this lab running (up records it as kept on purpose).
      if ((await leftovers(lab.runId)).length > 0) await firedrill(["down"]);
    }
  });
});
