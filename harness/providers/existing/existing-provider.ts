import { readFileSync } from "node:fs";
import Docker from "dockerode";
import { dockerClient } from "../../engine/docker-client.ts";
import { type Lab, refuseMutation } from "../../lab/lab.ts";
import { LABEL_FIREDRILL, LABEL_PROFILE, LABEL_RUN } from "../../lab/labels.ts";
import type { Progress } from "../../progress/progress.ts";
import { service, topology, type ServerName } from "../../topology/topology.ts";
import { describe } from "../../util/errors.ts";
import { waitUntil } from "../../util/wait-until.ts";
import { readLabFile, type LabFile } from "./lab-file.ts";
import { type Mutation } from "../../config/mutation.ts";

/** A Docker client for one server's engine: this machine's, or one reached over SSH. */
export function engineClient(server: LabFile["servers"][ServerName]): Docker {
  if (server.engine === "local") return dockerClient();
  const u = new URL(server.engine);
  return new Docker({
    protocol: "ssh",
    host: u.hostname,
    port: u.port ? Number(u.port) : 22,
    username: decodeURIComponent(u.username),
    sshOptions: server.identityFile
      ? { privateKey: readFileSync(server.identityFile) }
      : { agent: process.env.SSH_AUTH_SOCK },
  });
}

export interface AttachOptions {
  progress: Progress;
  /** How long to wait for HAProxy to route (a lab just deployed may still be settling). */
  timeoutMs?: number;
  /** Refused: nothing can be planted in a lab firedrill did not start. */
  mutation?: Mutation;
}

/**
 * Attaches to a lab firedrill did not start, through its lab file. Containers are found by their
 * names (`<run id>-<alias>`) on their server's engine, so the faults (docker kill / pause / stop, the
 * netadmin helper) act on them unchanged. `down()` only detaches: the lab is not ours to remove.
 */
export async function attachExistingLab(file: string, opts: AttachOptions): Promise<Lab> {
  if (opts.mutation) refuseMutation("existing");
  const lab = readLabFile(file);
  const { runId, profile, networkName } = lab;
  opts.progress.step(`attaching to lab ${runId} (${profile}) from ${file}`);
  const engines = new Map<ServerName, Docker>();
  const engineOf = (alias: string) => {
    const server = service(alias).server;
    let e = engines.get(server);
    if (!e) engines.set(server, (e = engineClient(lab.servers[server])));
    return e;
  };
  const container = (alias: string) => engineOf(alias).getContainer(`${runId}-${alias}`);

  // Every service of the topology must be there, with the run's labels: attaching to half a lab, or
  // to someone else's containers under the same names, would make every drill's verdict meaningless.
  const missing: string[] = [];
  await Promise.all(
    topology
      .filter((s) => s.image !== undefined)
      .map(async (s) => {
        try {
          const labels = (await container(s.alias).inspect()).Config.Labels ?? {};
          if (
            labels[LABEL_FIREDRILL] !== "1" ||
            labels[LABEL_RUN] !== runId ||
            labels[LABEL_PROFILE] !== profile
          )
            missing.push(
              `${s.alias} (labels say run ${labels[LABEL_RUN]}, profile ${labels[LABEL_PROFILE]})`,
            );
        } catch (err) {
          missing.push(`${s.alias} (${describe(err).split("\n")[0]})`);
        }
      }),
  );
  if (missing.length > 0)
    throw new Error(`lab ${runId} from ${file} is incomplete: ${missing.sort().join(", ")}`);

  await waitUntil(
    `lab ${runId}: HAProxy routes to the app`,
    async () => {
      const res = await fetch(`${lab.endpoints.haproxy.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HAProxy answered ${res.status}`);
      return true;
    },
    { timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 250 },
  );
  opts.progress.step(`attached to lab ${runId}: ${lab.endpoints.haproxy.url}`);

  const labels = {
    [LABEL_FIREDRILL]: "1",
    [LABEL_RUN]: runId,
    [LABEL_PROFILE]: profile,
  };
  const attached: Lab = {
    runId,
    profile,
    endpoints: lab.endpoints,
    networkName,
    labels,
    netadminImage: lab.netadminImage,
    container,
    engine: engineOf,
    ipOf: async (alias) => {
      const ip = (await container(alias).inspect()).NetworkSettings.Networks[networkName]?.IPAddress;
      if (!ip) throw new Error(`${alias} has no address on ${networkName} (is it running?)`);
      return ip;
    },
    down: async () => {
      opts.progress.detail(`detached from lab ${runId}; it keeps running (it was not started by this run)`);
    },
    [Symbol.asyncDispose]: () => attached.down(),
  };
  return attached;
}
