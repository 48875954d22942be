import type { Readable } from "node:stream";
import type { GenericContainer, StartedTestContainer } from "testcontainers";
import { LABEL_ROLE, LABEL_SERVER } from "../../lab/labels.ts";
import { service } from "../../topology/topology.ts";
import { describe } from "../../util/errors.ts";
import { freePort } from "./free-port.ts";
import type { Ctx } from "./lab-context.ts";
import { LogTail } from "./log-tail.ts";
import { onLoopbackOnly } from "./loopback.ts";
import { withRestartPolicy } from "./restart-policy.ts";

// A service that exits while starting (a crashed gunicorn, a rejected config) fails its start at once
// instead of after the whole startup timeout.
export const UNTIL_EXIT = { abortOnContainerExit: true } as const;

/** Common settings of every lab container: labels, name, network alias, loopback-only pinned ports. */
export async function prepare<T extends GenericContainer>(ctx: Ctx, alias: string, container: T): Promise<T> {
  const spec = service(alias);
  const ports = await Promise.all(spec.ports.map(async (p) => ({ container: p, host: await freePort() })));
  container
    .withName(`${ctx.opts.runId}-${alias}`)
    .withLabels({ ...ctx.labels, [LABEL_ROLE]: alias, [LABEL_SERVER]: spec.server })
    .withNetworkMode(ctx.networkName)
    .withNetworkAliases(alias)
    .withExposedPorts(...ports)
    .withStartupTimeout(120_000);
  // After the service's own files, so a planted file replaces the image's or the profile's copy.
  const planted = ctx.files.get(alias);
  if (planted?.length)
    container.withCopyContentToContainer(
      planted.map((f) => ({ content: f.content, target: f.path, mode: 0o644 })),
    );
  return withRestartPolicy(onLoopbackOnly(container), spec.kind);
}

export async function startNamed(
  ctx: Ctx,
  alias: string,
  container: GenericContainer,
): Promise<StartedTestContainer> {
  const t0 = performance.now();
  // testcontainers removes a container whose wait failed before its error reaches us, so its logs
  // are read while it starts: the last lines say why (a Python traceback, a config error).
  const tail = new LogTail(40);
  container.withLogConsumer((stream: Readable) => tail.follow(stream));
  try {
    const startedContainer = await container.start();
    // Up: the engine keeps its logs (run-drill saves them); stop parsing them here.
    tail.stop();
    ctx.started.set(alias, startedContainer);
    ctx.opts.progress.detail(`${alias} ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return startedContainer;
  } catch (err) {
    // The stream may still be delivering the lines written just before the container stopped.
    const lines = await tail.settle(1000);
    tail.stop();
    throw new Error(
      `${alias} did not start: ${firstLine(describe(err))}\n--- last log lines of ${alias} ---\n${lines || "(it wrote nothing)"}`,
    );
  }
}

/** testcontainers' "container exited" error carries 50 log lines of its own; ours follow it. */
function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/, last \d+ logs:.*$/, "");
}
