import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { dockerClient } from "../engine/docker-client.ts";
import { runLabels } from "../lab/labels.ts";
import { demuxLogs } from "../engine/demux-logs.ts";

export interface RunOnceOptions {
  image: string;
  cmd: string[];
  env?: Record<string, string>;
  /** Files to place in the container (read-only), by absolute container path. */
  files?: Record<string, string>;
  network?: string;
  runId: string;
  timeoutMs?: number;
}

/** Runs a command to completion in a labelled throwaway container; returns exit code and output. */
export async function runOnce(opts: RunOnceOptions): Promise<{ exitCode: number; output: string }> {
  const docker = dockerClient();
  const dir = mkdtempSync(path.join(os.tmpdir(), "fd-once-"));
  const binds = Object.entries(opts.files ?? {}).map(([target, content], i) => {
    const host = path.join(dir, String(i), path.basename(target));
    mkdirSync(path.dirname(host), { recursive: true });
    writeFileSync(host, content);
    return `${host}:${target}:ro`;
  });
  const container = await docker.createContainer({
    Image: opts.image,
    // The command replaces the image's entrypoint too: service images start their daemon there.
    Entrypoint: opts.cmd,
    Cmd: [],
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { ...runLabels(opts.runId, "none"), "firedrill.role": "one-shot" },
    HostConfig: { Binds: binds, NetworkMode: opts.network },
  });
  try {
    await container.start();
    const waited = (await Promise.race([
      container.wait(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`${opts.cmd.join(" ")} still running`)), opts.timeoutMs ?? 300_000),
      ),
    ])) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { exitCode: waited.StatusCode, output: demuxLogs(logs) };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
