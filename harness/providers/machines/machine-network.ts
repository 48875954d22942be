import type Docker from "dockerode";
import { describe } from "../../util/errors.ts";

/**
 * The run's network with a subnet the engine chose (so it never clashes with the engine's other
 * networks or a developer's host-only network) and that the machines can have fixed addresses on:
 * the engine only grants a fixed address on a subnet given at creation, so the network is created
 * once to learn the engine's choice, then again with it. Bounded retries if another network takes
 * that subnet in between.
 */
export async function createLabNetwork(
  docker: Docker,
  name: string,
  labels: Record<string, string>,
): Promise<{ subnet: string; gateway: string }> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const probe = await docker.createNetwork({ Name: name, Driver: "bridge", Labels: labels });
    const info = (await probe.inspect()) as { IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } };
    await probe.remove();
    const cfg = info.IPAM?.Config?.find((c) => c.Subnet && /^\d+\.\d+\.\d+\.\d+\//.test(c.Subnet));
    if (!cfg?.Subnet) throw new Error(`the engine gave network ${name} no IPv4 subnet`);
    const gateway = cfg.Gateway ?? cfg.Subnet.replace(/\.\d+\/\d+$/, ".1");
    try {
      await docker.createNetwork({
        Name: name,
        Driver: "bridge",
        Labels: labels,
        IPAM: { Driver: "default", Config: [{ Subnet: cfg.Subnet, Gateway: gateway }] },
      });
      return { subnet: cfg.Subnet, gateway };
    } catch (err) {
      last = err;
      if (!/overlap/i.test(describe(err))) throw err;
    }
  }
  throw new Error(`network ${name}: no free subnet after 3 tries: ${describe(last)}`);
}
