import type { GenericContainer } from "testcontainers";
import type { ServiceKind } from "../../topology/topology.ts";

interface Hookable {
  hostConfig: { RestartPolicy?: { Name: string } };
  beforeContainerCreated?: () => Promise<void>;
}

/**
 * The services the original ran with `--restart unless-stopped` (its Prometheus README: Prometheus,
 * the mysqld and node exporters). Where Ansible deploys, every container gets that policy (its
 * defaults say why); here only these, so that an app or database that exits while starting (a
 * planted crash, a rejected config) still fails its start at once instead of restarting in a loop.
 * A drill's faults are unaffected: the engine never restarts a container it was told to kill.
 */
const restartedKinds: readonly ServiceKind[] = ["prometheus", "exporter", "node-exporter"];

export function restartPolicyFor(kind: ServiceKind): "unless-stopped" | undefined {
  return restartedKinds.includes(kind) ? "unless-stopped" : undefined;
}

/** Sets the container's restart policy in the create call (testcontainers has no option for it). */
export function withRestartPolicy<T extends GenericContainer>(container: T, kind: ServiceKind): T {
  const policy = restartPolicyFor(kind);
  if (!policy) return container;
  const hookable = container as unknown as Hookable;
  const previous = hookable.beforeContainerCreated?.bind(container);
  hookable.beforeContainerCreated = async () => {
    await previous?.();
    hookable.hostConfig.RestartPolicy = { Name: policy };
  };
  return container;
}
