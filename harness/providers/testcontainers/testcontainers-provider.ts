// testcontainers' Ryuk reaper image cannot be pulled on machines without a registry; firedrill reaps
// by its own labels instead (lab/reaper.ts). Set before testcontainers reads it.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
// Inside a container (a /.dockerenv exists, as on CI sandboxes) testcontainers would reach mapped
// ports through the bridge gateway; firedrill binds every port on 127.0.0.1 only, so say so.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";

import { MariaDbContainer } from "@testcontainers/mariadb";
import type { Readable } from "node:stream";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import { loadClusterConfig, type ClusterConfig } from "../../config/cluster-config.ts";
import { profiles, type Profile, type ProfileName } from "../../config/profiles.ts";
import { verifyRoundTrip } from "../../db/replication-check.ts";
import { createLocalUsers, startReplication, waitReplicating } from "../../db/replication.ts";
import { dockerClient } from "../../engine/docker-client.ts";
import type { ImageTags } from "../../images/build-images.ts";
import type { DbEndpoint, Lab, LabEndpoints, NodeEndpoints } from "../../lab/lab.ts";
import { LABEL_ROLE, LABEL_RUN, LABEL_SERVER, runLabels } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import type { Progress } from "../../progress/progress.ts";
import { nodeNames, serverNames, service, type NodeName, type ServerName } from "../../topology/topology.ts";
import { describe } from "../../util/errors.ts";
import { randomSecret } from "../../util/random-secret.ts";
import { waitUntil } from "../../util/wait-until.ts";
import { freePort } from "./free-port.ts";
import { onLoopbackOnly } from "./loopback.ts";
import { withRestartPolicy } from "./restart-policy.ts";
import { DEFAULT_GRAFANA_IMAGE, grafanaAvailability } from "./grafana-image.ts";
import { LogTail } from "./log-tail.ts";
import { describeMutation, plantedFiles, type Mutation } from "../../config/mutation.ts";
import path from "node:path";

export interface UpOptions {
  runId: string;
  profile: ProfileName;
  images: ImageTags;
  clusterDir: string;
  progress: Progress;
  /** Grafana's image; started on control1 when present or pullable, else its slot is skipped. */
  grafanaImage?: string;
  /** A planted misconfiguration (`firedrill mutants`): applied to the configuration, the profile and the files. */
  mutation?: Mutation;
}

/** Where Alertmanager posts: the receiver is a lab container, reached by its alias on the lab network. */
export const ALERTMANAGER_WEBHOOK_URL = "http://receiver:9099/hook/alertmanager";

interface Secrets {
  djangoSecret: string;
  dbRoot: Record<NodeName, string>;
  appUser: string;
  appPassword: string;
  repl: { user: string; password: string };
  exporter: { user: string; password: string };
  stats: { user: string; password: string };
  grafanaAdmin: string;
}

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

const DATABASE = "todo";

// A service that exits while starting (a crashed gunicorn, a rejected config) fails its start at once
// instead of after the whole startup timeout.
const UNTIL_EXIT = { abortOnContainerExit: true } as const;

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
    return makeLab({
      runId,
      profile,
      endpoints,
      started,
      down,
      networkName,
      labels,
      netadminImage: opts.images.netadmin,
    });
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

interface Ctx {
  opts: UpOptions;
  labels: Record<string, string>;
  networkName: string;
  started: Map<string, StartedTestContainer>;
  config: ClusterConfig;
  /** The profile's harness-side settings as this lab uses them (a mutation may have changed them). */
  profile: Profile;
  secrets: Secrets;
  /** Files a mutation places into services' containers, by alias. */
  files: ReadonlyMap<string, readonly { path: string; content: string }[]>;
}

/** Common settings of every lab container: labels, name, network alias, loopback-only pinned ports. */
async function prepare<T extends GenericContainer>(ctx: Ctx, alias: string, container: T): Promise<T> {
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

async function startNamed(
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

async function startDatabase(ctx: Ctx, node: NodeName): Promise<void> {
  const alias = `${node}-db`;
  const container = new MariaDbContainer(ctx.opts.images.mariadb)
    .withDatabase(DATABASE)
    .withUsername(ctx.secrets.appUser)
    .withUserPassword(ctx.secrets.appPassword)
    .withRootPassword(ctx.secrets.dbRoot[node])
    .withCopyContentToContainer([
      {
        content: ctx.config.mariadb[node],
        target: "/etc/mysql/mariadb.conf.d/60-firedrill.cnf",
        mode: 0o644,
      },
    ]);
  await startNamed(ctx, alias, await prepare(ctx, alias, container));
}

function dbEndpoint(
  started: Map<string, StartedTestContainer>,
  node: NodeName,
  secrets: Secrets,
): DbEndpoint {
  const c = mustGet(started, `${node}-db`);
  return {
    host: "127.0.0.1",
    port: c.getMappedPort(3306),
    user: secrets.appUser,
    password: secrets.appPassword,
    rootPassword: secrets.dbRoot[node],
    database: DATABASE,
  };
}

async function setUpReplication(
  dbs: Record<NodeName, DbEndpoint>,
  secrets: Secrets,
  profile: Profile,
  progress: Progress,
): Promise<void> {
  await Promise.all(nodeNames.map((n) => createLocalUsers(dbs[n], secrets.repl, secrets.exporter, profile)));
  await startReplication(
    { replica: dbs.node1, master: dbs.node2, masterAlias: "node2-db" },
    secrets.repl,
    profile,
  );
  await startReplication(
    { replica: dbs.node2, master: dbs.node1, masterAlias: "node1-db" },
    secrets.repl,
    profile,
  );
  await Promise.all(nodeNames.map((n) => waitReplicating(dbs[n], `${n}-db`, 30_000)));
  const trip = await verifyRoundTrip(
    { name: "node1", db: dbs.node1 },
    { name: "node2", db: dbs.node2 },
    30_000,
  );
  progress.detail(
    `replication verified both ways: node1→node2 ${trip.forwardSeconds.toFixed(2)} s, node2→node1 ${trip.backSeconds.toFixed(2)} s`,
  );
}

async function startExporter(ctx: Ctx, node: NodeName): Promise<void> {
  const alias = `${node}-exporter`;
  const { user, password } = ctx.secrets.exporter;
  const container = new GenericContainer(ctx.opts.images["mysqld-exporter"])
    .withEnvironment({ DATA_SOURCE_NAME: `${user}:${password}@(${node}-db:3306)/` })
    .withCommand([...ctx.profile.exporterArgs])
    .withWaitStrategy(Wait.forHttp("/metrics", 9104, UNTIL_EXIT).forStatusCode(200));
  await startNamed(ctx, alias, await prepare(ctx, alias, container));
}

/** A server's node exporter: nothing to configure, it only has to answer. */
async function startNodeExporter(ctx: Ctx, server: ServerName): Promise<void> {
  const alias = `${server}-node-exporter`;
  const container = new GenericContainer(ctx.opts.images["node-exporter"]).withWaitStrategy(
    Wait.forHttp("/metrics", 9100, UNTIL_EXIT).forStatusCode(200),
  );
  await startNamed(ctx, alias, await prepare(ctx, alias, container));
}

async function startApp(ctx: Ctx, node: NodeName): Promise<void> {
  const alias = `${node}-app`;
  const container = new GenericContainer(ctx.opts.images.app)
    .withEnvironment({
      DJANGO_SECRET_KEY: ctx.secrets.djangoSecret,
      DB_HOST: `${node}-db`,
      DB_PORT: "3306",
      DB_NAME: DATABASE,
      DB_USER: ctx.secrets.appUser,
      DB_PASSWORD: ctx.secrets.appPassword,
      NODE_NAME: node,
      GUNICORN_WORKERS: "2",
      // Schema changes run on one master only; DDL on both would collide in replication.
      DJANGO_MIGRATE: node === "node1" ? "run" : "wait",
      ...ctx.profile.appEnv,
    })
    .withWaitStrategy(Wait.forHttp("/healthz", 8000, UNTIL_EXIT).forStatusCode(200));
  await startNamed(ctx, alias, await prepare(ctx, alias, container));
}

async function startHaproxy(ctx: Ctx): Promise<void> {
  const container = new GenericContainer(ctx.opts.images.haproxy)
    .withEnvironment({
      HAPROXY_STATS_USER: ctx.secrets.stats.user,
      HAPROXY_STATS_PASSWORD: ctx.secrets.stats.password,
    })
    .withCopyContentToContainer([
      { content: ctx.config.haproxy, target: "/etc/haproxy/haproxy.cfg", mode: 0o644 },
    ])
    .withWaitStrategy(Wait.forHttp("/metrics", 8404, UNTIL_EXIT).forStatusCode(200));
  await startNamed(ctx, "haproxy", await prepare(ctx, "haproxy", container));
}

async function startPrometheus(ctx: Ctx): Promise<void> {
  const files = [
    { content: ctx.config.prometheus, target: "/etc/prometheus/prometheus.yml", mode: 0o644 },
    ...Object.entries(ctx.config.rules).map(([name, content]) => ({
      content,
      target: `/etc/prometheus/rules/${name}`,
      mode: 0o644,
    })),
  ];
  const container = new GenericContainer(ctx.opts.images.prometheus)
    .withCopyContentToContainer(files)
    .withWaitStrategy(Wait.forHttp("/-/ready", 9090, UNTIL_EXIT).forStatusCode(200));
  await startNamed(ctx, "prometheus", await prepare(ctx, "prometheus", container));
}

async function startAlertmanager(ctx: Ctx): Promise<void> {
  const container = new GenericContainer(ctx.opts.images.alertmanager)
    .withCopyContentToContainer([
      { content: ctx.config.alertmanager, target: "/etc/alertmanager/alertmanager.yml", mode: 0o644 },
    ])
    .withWaitStrategy(Wait.forHttp("/-/ready", 9093, UNTIL_EXIT).forStatusCode(200));
  await startNamed(ctx, "alertmanager", await prepare(ctx, "alertmanager", container));
}

async function startReceiver(ctx: Ctx): Promise<void> {
  const container = new GenericContainer(ctx.opts.images.receiver).withWaitStrategy(
    Wait.forHttp("/healthz", 9099, UNTIL_EXIT).forStatusCode(200),
  );
  await startNamed(ctx, "receiver", await prepare(ctx, "receiver", container));
}

/**
 * Grafana on control1 with the stack's provisioning (data sources, dashboard, Grafana-managed alert
 * rules, webhook contact point). Not exercised on machines without its image: see grafana-image.ts.
 */
async function startGrafana(ctx: Ctx, image: string): Promise<void> {
  const dir = path.join(ctx.opts.clusterDir, "grafana");
  const container = new GenericContainer(image)
    .withEnvironment({
      GF_SECURITY_ADMIN_PASSWORD: ctx.secrets.grafanaAdmin,
      GF_AUTH_ANONYMOUS_ENABLED: "false",
      GF_ANALYTICS_REPORTING_ENABLED: "false",
      GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
      GF_PLUGINS_PREINSTALL_DISABLED: "true",
    })
    .withCopyDirectoriesToContainer([
      { source: path.join(dir, "provisioning"), target: "/etc/grafana/provisioning" },
      { source: path.join(dir, "dashboards"), target: "/var/lib/grafana/dashboards" },
    ])
    .withWaitStrategy(Wait.forHttp("/api/health", 3000, UNTIL_EXIT).forStatusCode(200));
  await startNamed(ctx, "grafana", await prepare(ctx, "grafana", container));
}

function mustGet(started: Map<string, StartedTestContainer>, alias: string): StartedTestContainer {
  const c = started.get(alias);
  if (!c) throw new Error(`internal: ${alias} was not started`);
  return c;
}

function url(started: Map<string, StartedTestContainer>, alias: string, port: number): string {
  return `http://127.0.0.1:${mustGet(started, alias).getMappedPort(port)}`;
}

function endpointsOf(
  runId: string,
  profile: ProfileName,
  started: Map<string, StartedTestContainer>,
  dbs: Record<NodeName, DbEndpoint>,
  secrets: Secrets,
  grafana: { image: string } | { skipped: string },
): LabEndpoints {
  const node = (n: NodeName): NodeEndpoints => ({
    app: { url: url(started, `${n}-app`, 8000) },
    db: dbs[n],
    exporter: { url: url(started, `${n}-exporter`, 9104) },
  });
  const stats = url(started, "haproxy", 8404);
  return {
    runId,
    profile,
    haproxy: {
      url: url(started, "haproxy", 80),
      statsUrl: `${stats}/stats`,
      metricsUrl: `${stats}/metrics`,
      statsUser: secrets.stats.user,
      statsPassword: secrets.stats.password,
    },
    prometheus: { url: url(started, "prometheus", 9090) },
    alertmanager: { url: url(started, "alertmanager", 9093) },
    receiver: { url: url(started, "receiver", 9099) },
    grafana:
      "skipped" in grafana
        ? grafana
        : { url: url(started, "grafana", 3000), user: "admin", password: secrets.grafanaAdmin },
    nodes: { node1: node("node1"), node2: node("node2") },
    nodeExporters: Object.fromEntries(
      serverNames.map((s) => [s, { url: url(started, `${s}-node-exporter`, 9100) }]),
    ) as LabEndpoints["nodeExporters"],
  };
}

async function waitThroughHaproxy(endpoints: LabEndpoints, progress: Progress): Promise<void> {
  // HAProxy marks servers up only after `rise` checks; the lab is not up until it routes.
  await waitUntil(
    "HAProxy routes to the app",
    async () => {
      const res = await fetch(`${endpoints.haproxy.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HAProxy answered ${res.status}`);
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  progress.detail("HAProxy routes to the app");
}

interface LabParts {
  runId: string;
  profile: ProfileName;
  endpoints: LabEndpoints;
  started: Map<string, StartedTestContainer>;
  down: () => Promise<void>;
  networkName: string;
  labels: Record<string, string>;
  netadminImage: string;
}

function makeLab({
  runId,
  profile,
  endpoints,
  started,
  down,
  networkName,
  labels,
  netadminImage,
}: LabParts): Lab {
  let downed: Promise<void> | undefined;
  const container = (alias: string) => dockerClient().getContainer(mustGet(started, alias).getId());
  const lab: Lab = {
    runId,
    profile,
    endpoints,
    networkName,
    labels,
    netadminImage,
    container,
    ipOf: async (alias) => {
      const ip = (await container(alias).inspect()).NetworkSettings.Networks[networkName]?.IPAddress;
      if (!ip) throw new Error(`${alias} has no address on ${networkName} (is it running?)`);
      return ip;
    },
    down: () => (downed ??= down()),
    [Symbol.asyncDispose]: () => lab.down(),
  };
  return lab;
}
