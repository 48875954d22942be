import type Docker from "dockerode";
import { dockerClient } from "../engine/docker-client.ts";
import { demuxLogs } from "../engine/demux-logs.ts";
import type { Lab } from "../lab/lab.ts";

/**
 * Runs a shell script in a short-lived network-admin helper (nft, tc, bash) on `engine`, in the
 * network namespace `networkMode` names, with NET_ADMIN. Returns the exit code and output.
 */
async function runHelper(
  lab: Lab,
  engine: Docker,
  o: { networkMode: string; role: string },
  script: string,
): Promise<{ exitCode: number; output: string }> {
  const helper = await engine.createContainer({
    Image: lab.netadminImage,
    Entrypoint: ["sh", "-c", script],
    Cmd: [],
    Labels: { ...lab.labels, "firedrill.role": o.role },
    HostConfig: { NetworkMode: o.networkMode, CapAdd: ["NET_ADMIN"] },
  });
  try {
    await helper.start();
    const { StatusCode } = (await helper.wait()) as { StatusCode: number };
    const output = demuxLogs((await helper.logs({ stdout: true, stderr: true })) as unknown as Buffer);
    return { exitCode: StatusCode, output };
  } finally {
    await helper.remove({ force: true }).catch(() => undefined);
  }
}

/** The engine that runs `alias`: where its namespace is, and so where its helpers must start. */
export const engineOf = (lab: Lab, alias: string): Docker => lab.engine?.(alias) ?? dockerClient();

/**
 * Runs a shell script in a target container's network namespace, the way Pumba does: a short-lived
 * helper container (network mode `container:<target>`, NET_ADMIN) with nft and tc. Rules stay in the
 * namespace after the helper exits. Returns the exit code and output.
 */
export async function inNetns(
  lab: Lab,
  alias: string,
  script: string,
): Promise<{ exitCode: number; output: string }> {
  const target = await lab.container(alias).inspect();
  return runHelper(
    lab,
    engineOf(lab, alias),
    { networkMode: `container:${target.Id}`, role: `netadmin-${alias}` },
    script,
  );
}

/**
 * Runs a script in a helper's own, empty network namespace on `engine`: for asking the kernel what
 * it can do (e.g. whether it has netem) without touching any lab container.
 */
export function inScratchNetns(
  lab: Lab,
  engine: Docker,
  script: string,
): Promise<{ exitCode: number; output: string }> {
  return runHelper(lab, engine, { networkMode: "none", role: "netadmin-probe" }, script);
}

export async function mustInNetns(lab: Lab, alias: string, script: string): Promise<string> {
  const r = await inNetns(lab, alias, script);
  if (r.exitCode !== 0)
    throw new Error(`in ${alias}'s network namespace: exit ${r.exitCode}: ${r.output.trim()}`);
  return r.output;
}
