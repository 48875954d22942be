import type { GenericContainer } from "testcontainers";

interface PortBinding {
  HostIp?: string;
  HostPort: string;
}
interface Hookable {
  hostConfig: { PortBindings?: Record<string, PortBinding[]> };
  beforeContainerCreated?: () => Promise<void>;
}

/**
 * testcontainers binds mapped ports on every host address; the lab must listen on 127.0.0.1 only.
 * Its `beforeContainerCreated` hook runs after the bindings are computed, so we pin them there.
 */
export function onLoopbackOnly<T extends GenericContainer>(container: T): T {
  const hookable = container as unknown as Hookable;
  const previous = hookable.beforeContainerCreated?.bind(container);
  hookable.beforeContainerCreated = async () => {
    await previous?.();
    for (const bindings of Object.values(hookable.hostConfig.PortBindings ?? {})) {
      for (const b of bindings) b.HostIp = "127.0.0.1";
    }
  };
  return container;
}
