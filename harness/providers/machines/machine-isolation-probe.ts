import type Docker from "dockerode";
import { describe } from "../../util/errors.ts";
import { withTimeout } from "./machine-engine.ts";
import {
  chooseIsolation,
  isolations,
  machineCreateOptions,
  type Isolation,
  type IsolationProbe,
} from "./machine-plan.ts";

let isolationProbe: Promise<IsolationProbe> | undefined;

/**
 * Starts a throwaway machine container (its command `true`) in each mode, privileged first, and
 * keeps the engine's answers: the engine refuses a mode when it starts the container, not when it
 * creates it. Once per process (the answer does not change while the engine runs).
 */
export async function probeIsolation(
  docker: Docker,
  image: string,
  cgroupVersion: string,
  labels: Record<string, string>,
): Promise<{ ok: true; isolation: Isolation } | { ok: false; reason: string }> {
  isolationProbe ??= (async () => {
    const probe = {} as IsolationProbe;
    for (const mode of isolations) {
      const o = machineCreateOptions({
        name: `firedrill-machine-probe-${process.pid}-${mode}`,
        server: "control1",
        image,
        isolation: mode,
        cgroupVersion,
        network: "none",
        address: "",
        cacheVolume: "",
        ports: {},
        labels: { ...labels, "firedrill.role": "machine-probe" },
        publicKey: "",
      });
      let c: Docker.Container | undefined;
      try {
        c = await docker.createContainer({
          ...o,
          Entrypoint: ["true"],
          NetworkingConfig: undefined,
          HostConfig: {
            ...o.HostConfig,
            Binds: (o.HostConfig.Binds ?? []).filter((b) => !b.endsWith(":/var/lib/docker")),
            PortBindings: {},
            NetworkMode: "none",
          },
        });
        await withTimeout(`starting a ${mode} machine`, 30_000, c.start());
        await withTimeout(`a ${mode} machine's exit`, 30_000, c.wait());
        probe[mode] = undefined;
        break;
      } catch (err) {
        probe[mode] = describe(err).replace(/^\(HTTP code \d+\) [a-z ]+- /, "");
      } finally {
        await c?.remove({ force: true }).catch(() => undefined);
      }
    }
    for (const mode of isolations) if (!(mode in probe)) probe[mode] = undefined;
    return probe;
  })();
  const probe = await isolationProbe;
  // A mode after the accepted one was not tried: it does not matter.
  return chooseIsolation(probe);
}
