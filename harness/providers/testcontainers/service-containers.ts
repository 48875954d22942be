import { MariaDbContainer } from "@testcontainers/mariadb";
import path from "node:path";
import { GenericContainer, Wait } from "testcontainers";
import type { NodeName, ServerName } from "../../topology/topology.ts";
import { prepare, startNamed, UNTIL_EXIT } from "./container-start.ts";
import { DATABASE, type Ctx } from "./lab-context.ts";

export async function startDatabase(ctx: Ctx, node: NodeName): Promise<void> {
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

export async function startExporter(ctx: Ctx, node: NodeName): Promise<void> {
  const alias = `${node}-exporter`;
  const { user, password } = ctx.secrets.exporter;
  const container = new GenericContainer(ctx.opts.images["mysqld-exporter"])
    .withEnvironment({ DATA_SOURCE_NAME: `${user}:${password}@(${node}-db:3306)/` })
    .withCommand([...ctx.profile.exporterArgs])
    .withWaitStrategy(Wait.forHttp("/metrics", 9104, UNTIL_EXIT).forStatusCode(200));
  await startNamed(ctx, alias, await prepare(ctx, alias, container));
}

/** A server's node exporter: nothing to configure, it only has to answer. */
export async function startNodeExporter(ctx: Ctx, server: ServerName): Promise<void> {
  const alias = `${server}-node-exporter`;
  const container = new GenericContainer(ctx.opts.images["node-exporter"]).withWaitStrategy(
    Wait.forHttp("/metrics", 9100, UNTIL_EXIT).forStatusCode(200),
  );
  await startNamed(ctx, alias, await prepare(ctx, alias, container));
}

export async function startApp(ctx: Ctx, node: NodeName): Promise<void> {
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

export async function startHaproxy(ctx: Ctx): Promise<void> {
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

export async function startPrometheus(ctx: Ctx): Promise<void> {
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

export async function startAlertmanager(ctx: Ctx): Promise<void> {
  const container = new GenericContainer(ctx.opts.images.alertmanager)
    .withCopyContentToContainer([
      { content: ctx.config.alertmanager, target: "/etc/alertmanager/alertmanager.yml", mode: 0o644 },
    ])
    .withWaitStrategy(Wait.forHttp("/-/ready", 9093, UNTIL_EXIT).forStatusCode(200));
  await startNamed(ctx, "alertmanager", await prepare(ctx, "alertmanager", container));
}

export async function startReceiver(ctx: Ctx): Promise<void> {
  const container = new GenericContainer(ctx.opts.images.receiver).withWaitStrategy(
    Wait.forHttp("/healthz", 9099, UNTIL_EXIT).forStatusCode(200),
  );
  await startNamed(ctx, "receiver", await prepare(ctx, "receiver", container));
}

/**
 * Grafana on control1 with the stack's provisioning (data sources, dashboard, Grafana-managed alert
 * rules, webhook contact point). Not exercised on machines without its image: see grafana-image.ts.
 */
export async function startGrafana(ctx: Ctx, image: string): Promise<void> {
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
