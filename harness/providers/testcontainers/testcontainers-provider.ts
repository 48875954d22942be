// testcontainers' Ryuk reaper image cannot be pulled on machines without a registry; firedrill reaps
// by its own labels instead (lab/reaper.ts). Set before testcontainers reads it.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
// Inside a container (a /.dockerenv exists, as on CI sandboxes) testcontainers would reach mapped
// ports through the bridge gateway; firedrill binds every port on 127.0.0.1 only, so say so.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";

import type { StartedTestContainer } from "testcontainers";
import { describeMutation, plantedFiles } from "../../config/mutation.ts";
import { loadClusterConfig } from "../../config/cluster-config.ts";
import { profiles } from "../../config/profiles.ts";
import { dockerClient } from "../../engine/docker-client.ts";
import type { DbEndpoint, Lab } from "../../lab/lab.ts";
import { LABEL_RUN, runLabels } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import { nodeNames, serverNames, type NodeName } from "../../topology/topology.ts";
import { describe } from "../../util/errors.ts";
import { randomSecret } from "../../util/random-secret.ts";
import { DEFAULT_GRAFANA_IMAGE, grafanaAvailability } from "./grafana-image.ts";
import type { Ctx, Secrets, UpOptions } from "./lab-context.ts";
import { dbEndpoint, endpointsOf } from "./lab-endpoints.ts";
import {
  startAlertmanager,
  startApp,
  startDatabase,
  startExporter,
  startGrafana,
  startHaproxy,
  startNodeExporter,
  startPrometheus,
  startReceiver,
} from "./service-containers.ts";
import { setUpReplication } from "./set-up-replication.ts";
import { makeLab } from "./testcontainers-lab.ts";
import { waitThroughHaproxy } from "./wait-through-haproxy.ts";

export type { UpOptions } from "./lab-context.ts";

/** Where Alertmanager posts: the receiver is a lab container, reached by its alias on the lab network. */
export const ALERTMANAGER_WEBHOOK_URL = "http://receiver:9099/hook/alertmanager";

function newSecrets(): Secrets {
  return {
    djangoSecret: randomSecret(32),
    dbRoot: { node1: randomSecret(), node2: randomSecret() },
    appUser: "todo",
    appPassword: randomSecret(),
    repl: { user: "replicator", password: randomSecret() },
    exporter: { user: "exporter", password: randomSecret() },
    stats: { user: "firedrill", password: randomSecret() },
    grafanaAdmin: randomSecret(),
  };
}

/** Brings the topology up on the local Docker engine; on any failure removes what it started. */
export async function upTestcontainersLab(opts: UpOptions): Promise<Lab> {
  const { runId, profile, progress } = opts;
  const labels = runLabels(runId, profile);
  const networkName = `firedrill-${runId}`;
  const down = () => removeLabeled([`${LABEL_RUN}=${runId}`]).then(() => undefined);
  try {
    // One resolved profile and one configuration for the whole lab: a mutation rewrites both here,
    // before anything starts, so no part of the lab can read the unmutated settings.
    const { mutation } = opts;
    const rendered = loadClusterConfig(opts.clusterDir, profile, { webhookUrl: ALERTMANAGER_WEBHOOK_URL });
    const config = mutation?.config ? mutation.config(rendered) : rendered;
    const resolved = mutation?.profile ? mutation.profile(profiles[profile]) : profiles[profile];
    const files = plantedFiles(mutation);
    if (mutation) progress.detail(`planting a mutation: ${describeMutation(mutation)}`);
    const secrets = newSecrets();
    progress.step(`lab ${runId} (${profile}): network ${networkName}`);
    await dockerClient().createNetwork({
      Name: networkName,
      Driver: "bridge",
      Labels: labels,
      CheckDuplicate: true,
    });
    const started = new Map<string, StartedTestContainer>();
    const ctx: Ctx = { opts, labels, networkName, started, config, profile: resolved, secrets, files };

    // The receiver first: Alertmanager's first notification (the Watchdog's, which every drill's
    // steady state waits for) was lost to a receiver not yet listening, and came 5 s later.
    progress.step("starting both databases, the notification receiver and every server's node exporter");
    await Promise.all([
      ...nodeNames.map((node) => startDatabase(ctx, node)),
      startReceiver(ctx),
      ...serverNames.map((server) => startNodeExporter(ctx, server)),
    ]);
    const dbs = Object.fromEntries(nodeNames.map((n) => [n, dbEndpoint(started, n, secrets)])) as Record<
      NodeName,
      DbEndpoint
    >;

    progress.step(`configuring master-master replication (${resolved.replication.mode})`);
    await setUpReplication(dbs, secrets, resolved, progress);

    progress.step("starting exporters and apps (node1 migrates, node2 waits for the schema by replication)");
    await Promise.all([
      ...nodeNames.map((node) => startExporter(ctx, node)),
      ...nodeNames.map((node) => startApp(ctx, node)),
    ]);

    progress.step("starting HAProxy, Prometheus and Alertmanager");
    const grafana = await grafanaAvailability(opts.grafanaImage ?? DEFAULT_GRAFANA_IMAGE);
    if ("skipped" in grafana) progress.detail(`Grafana skipped: ${grafana.skipped}`);
    await Promise.all([
      startHaproxy(ctx),
      startPrometheus(ctx),
      startAlertmanager(ctx),
      "image" in grafana ? startGrafana(ctx, grafana.image) : undefined,
    ]);

    const endpoints = endpointsOf(runId, profile, started, dbs, secrets, grafana);
    await waitThroughHaproxy(endpoints, progress);
    progress.step(`lab ${runId} is up: ${endpoints.haproxy.url}`);
    const netadminImage = opts.images.netadmin;
    return makeLab({ runId, profile, endpoints, started, down, networkName, labels, netadminImage });
  } catch (err) {
    progress.warn(
      `lab ${runId} failed to come up: ${describe(err).split("\n")[0]}; removing what was started`,
    );
    await down().catch((cleanupErr) =>
      progress.warn(`cleanup of ${runId} failed too: ${describe(cleanupErr)}`),
    );
    throw err;
  }
}
