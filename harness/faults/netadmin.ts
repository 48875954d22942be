import { dockerClient } from "../engine/docker-client.ts";
import { demuxLogs } from "../engine/demux-logs.ts";
import type { Lab } from "../lab/lab.ts";

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
  // The helper must run on the engine that runs the target (its namespace is only there).
  const helper = await (lab.engine?.(alias) ?? dockerClient()).createContainer({
    Image: lab.netadminImage,
    Entrypoint: ["sh", "-c", script],
    Cmd: [],
    Labels: { ...lab.labels, "firedrill.role": `netadmin-${alias}` },
    HostConfig: { NetworkMode: `container:${target.Id}`, CapAdd: ["NET_ADMIN"] },
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

export async function mustInNetns(lab: Lab, alias: string, script: string): Promise<string> {
  const r = await inNetns(lab, alias, script);
  if (r.exitCode !== 0)
    throw new Error(`in ${alias}'s network namespace: exit ${r.exitCode}: ${r.output.trim()}`);
  return r.output;
}
