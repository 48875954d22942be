/**
 * The role's configuration as each server renders it, through Ansible itself (facts.yml and
 * config.yml of the role, four inventory hosts on local connections, no engine): in `hosts` mode
 * (one engine per server) HAProxy's backends, Prometheus' targets and Alertmanager's webhook name the
 * other servers by address and published port, and the databases are reached as `_fd_at` says; in
 * `shared` mode (one engine) every file is byte for byte what the harness renders for the
 * testcontainers provider. No live four-server run here: the machines provider runs those.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  addressPlaceholders,
  aliasAddresses,
  loadClusterConfig,
  type AddressPlaceholder,
  type ConfigValues,
} from "../../config/cluster-config.ts";
import { profileNames, type ProfileName } from "../../config/profiles.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { topology, type ServerName } from "../../topology/topology.ts";
import { onPath, run } from "../../util/run.ts";
import { ALERTMANAGER_WEBHOOK_URL } from "../testcontainers/testcontainers-provider.ts";

const clusterDir = resolveSettings().clusterDir;
const root = mkdtempSync(path.join(os.tmpdir(), "firedrill-ansible-render-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Addresses of the four servers in the `hosts` inventory (never contacted: nothing connects to them). */
const ip: Record<ServerName, string> = {
  control1: "10.9.0.11",
  control2: "10.9.0.12",
  node1: "10.9.0.13",
  node2: "10.9.0.14",
};
/** Published ports unlike the containers' own, so a rendering that used the container port shows. */
const hostPorts = Object.fromEntries(
  topology
    .filter((s) => s.image)
    .map((s, i) => [
      s.alias,
      Object.fromEntries(s.ports.map((p) => [String(p), String(20000 + i * 10 + (p % 7))])),
    ]),
) as Record<string, Record<string, string>>;
const published = (alias: string, port: number) => hostPorts[alias]![String(port)]!;
const serverOf = (alias: string) => topology.find((s) => s.alias === alias)!.server;

/** A tag for every image of the topology (the role checks; nothing is pulled or run). */
const images = Object.fromEntries(
  topology.flatMap((s) => (s.image ? [[s.image, `firedrill/${s.image}:render`]] : [])),
);

/** Fixed, alphanumeric credentials: the role's password lookups would write files otherwise. */
const secrets = {
  django_secret: "django",
  db_root: { node1: "root1", node2: "root2" },
  app_user: "todo",
  app_password: "app",
  repl_user: "replicator",
  repl_password: "repl",
  exporter_user: "exporter",
  exporter_password: "exp",
  stats_user: "firedrill",
  stats_password: "stats",
};

function inventory(mode: "shared" | "hosts"): string {
  const hosts = (names: ServerName[]) =>
    Object.fromEntries(names.map((n) => [n, mode === "hosts" ? { firedrill_private_ip: ip[n] } : {}]));
  return JSON.stringify({
    all: {
      children: {
        lab: {
          children: {
            controls: { hosts: hosts(["control1", "control2"]) },
            nodes: { hosts: hosts(["node1", "node2"]) },
          },
          vars: {
            ansible_connection: "local",
            ansible_python_interpreter: "{{ ansible_playbook_python }}",
            firedrill_network_mode: mode,
            firedrill_bind_address: mode === "hosts" ? "0.0.0.0" : "127.0.0.1",
            firedrill_become: false,
          },
        },
      },
    },
  });
}

/** One play per profile: the role's facts and configuration steps, then `_fd_at` saved beside the files. */
const playbook = JSON.stringify(
  profileNames.map((profile) => ({
    name: `Render the ${profile} configuration as each server does`,
    hosts: "lab",
    gather_facts: false,
    vars: { firedrill_profile: profile, firedrill_state_dir: `{{ out }}/${profile}` },
    tasks: [
      { name: "Facts", "ansible.builtin.include_role": { name: "firedrill_stack", tasks_from: "facts.yml" } },
      {
        name: "Files",
        "ansible.builtin.include_role": { name: "firedrill_stack", tasks_from: "config.yml" },
      },
      {
        name: "Addresses",
        "ansible.builtin.copy": {
          content: "{{ _fd_at | to_json }}",
          dest: "{{ _fd_dir }}/addresses.json",
          mode: "0644",
        },
      },
    ],
  })),
);

let skip: string | undefined;
const rendered: Record<string, string> = {};

/** Runs the render playbook in one network mode; its files land in <root>/<mode>/<profile>/<server>/. */
async function renderWith(mode: "shared" | "hosts"): Promise<void> {
  const dir = path.join(root, mode);
  const vars = {
    out: dir,
    firedrill_run_id: `render-${mode}`,
    firedrill_images: images,
    firedrill_secrets: secrets,
    firedrill_host_ports: hostPorts,
    firedrill_config_dir: path.join(clusterDir, "config"),
  };
  writeFileSync(path.join(root, `${mode}-inventory.json`), inventory(mode));
  writeFileSync(path.join(root, `${mode}-vars.json`), JSON.stringify(vars));
  const r = await run(
    [
      "ansible-playbook",
      "-i",
      path.join(root, `${mode}-inventory.json`),
      path.join(root, "render.json"),
      "-e",
      `@${path.join(root, `${mode}-vars.json`)}`,
    ],
    {
      cwd: root,
      env: {
        ANSIBLE_ROLES_PATH: path.join(clusterDir, "ansible", "roles"),
        ANSIBLE_NOCOLOR: "1",
        ANSIBLE_RETRY_FILES_ENABLED: "0",
        ANSIBLE_LOCALHOST_WARNING: "0",
      },
      timeoutMs: 120_000,
    },
  );
  rendered[mode] = r.output;
  if (r.exitCode !== 0) throw new Error(`the render playbook failed (${mode}):\n${r.output.slice(-3000)}`);
}

beforeAll(async () => {
  if (!(await onPath("ansible-playbook"))) {
    skip = "ansible-playbook is not installed (apt-get install ansible python3-docker)";
    return;
  }
  writeFileSync(path.join(root, "render.json"), playbook);
  await Promise.all([renderWith("shared"), renderWith("hosts")]);
}, 240_000);

const file = (mode: string, profile: ProfileName, server: ServerName, name: string) =>
  readFileSync(path.join(root, mode, profile, server, name), "utf8");
const addressesOf = (mode: string, server: ServerName) =>
  JSON.parse(file(mode, "hardened", server, "addresses.json")) as Record<string, string>;

interface PromConfig {
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: {
    job_name: string;
    static_configs: { targets: string[]; labels?: Record<string, string> }[];
  }[];
}
const targets = (c: PromConfig, job: string) =>
  c.scrape_configs
    .find((j) => j.job_name === job)!
    .static_configs.map((s) => ({ targets: s.targets, instance: s.labels?.instance }));

describe("hosts mode: another server is reached at its address and published port, never by Docker DNS", () => {
  const across = (alias: string, port: number) => `${ip[serverOf(alias)]}:${published(alias, port)}`;

  it.for(profileNames)(
    "%s: HAProxy's backends are node1's and node2's addresses and published ports",
    (profile, ctx) => {
      if (skip) return ctx.skip(skip);
      const cfg = file("hosts", profile, "control2", "haproxy.cfg");
      const servers = [...cfg.matchAll(/^\s*server (\S+) (\S+) (.*)$/gm)].map((m) => [m[1], m[2]]);
      expect(servers).toEqual([
        ["node1", across("node1-app", 8000)],
        ["node2", across("node2-app", 8000)],
      ]);
      expect(cfg).toMatch(/^\s*server node2 \S+ check\b.*\bbackup\b/m);
      expect(cfg).not.toMatch(/node[12]-app/);
      expect(cfg.startsWith("# managed by firedrill")).toBe(true);
    },
  );

  it.for(profileNames)(
    "%s: Prometheus scrapes other servers by address, control2's own services by alias",
    (profile, ctx) => {
      if (skip) return ctx.skip(skip);
      const prom = parse(file("hosts", profile, "control2", "prometheus.yml")) as PromConfig;
      expect(targets(prom, "app")).toEqual([
        { targets: [across("node1-app", 8000)], instance: "node1-app:8000" },
        { targets: [across("node2-app", 8000)], instance: "node2-app:8000" },
      ]);
      // The seed's job has the original's name.
      expect(targets(prom, profile === "seed" ? "mariadb-exporter" : "mysqld")).toEqual([
        { targets: [across("node1-exporter", 9104)], instance: "node1-exporter:9104" },
        { targets: [across("node2-exporter", 9104)], instance: "node2-exporter:9104" },
      ]);
      // Every server's node exporter; control2's own by alias.
      expect(targets(prom, "node-exporter")).toEqual([
        { targets: [across("control1-node-exporter", 9100)], instance: "control1-node-exporter:9100" },
        { targets: ["control2-node-exporter:9100"], instance: undefined },
        { targets: [across("node1-node-exporter", 9100)], instance: "node1-node-exporter:9100" },
        { targets: [across("node2-node-exporter", 9100)], instance: "node2-node-exporter:9100" },
      ]);
      expect(targets(prom, "firedrill")).toEqual([
        { targets: [across("receiver", 9099)], instance: "receiver:9099" },
      ]);
      // Same server, same engine: Docker's DNS answers, and follows a restarted container.
      expect(targets(prom, "haproxy")[0]!.targets).toEqual(["haproxy:8404"]);
      expect(targets(prom, "alertmanager")[0]!.targets).toEqual(["alertmanager:9093"]);
      expect(prom.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(["alertmanager:9093"]);
    },
  );

  it.for(profileNames)("%s: Alertmanager posts to the receiver on control1's address", (profile, ctx) => {
    if (skip) return ctx.skip(skip);
    const am = parse(file("hosts", profile, "control2", "alertmanager.yml")) as {
      receivers: { webhook_configs: { url: string }[] }[];
    };
    expect(am.receivers[0]!.webhook_configs[0]!.url).toBe(
      `http://${across("receiver", 9099)}/hook/alertmanager`,
    );
  });

  it.for(profileNames)(
    "%s: the harness's renderer with the same addresses gives the same files (one set of placeholders)",
    (profile, ctx) => {
      if (skip) return ctx.skip(skip);
      const addresses = Object.fromEntries(
        Object.entries(addressPlaceholders).map(([name, a]) => [name, across(a.alias, a.port)]),
      ) as Record<AddressPlaceholder, string>;
      const values: ConfigValues = {
        webhookUrl: `http://${across("receiver", 9099)}/hook/alertmanager`,
        addresses,
      };
      const harness = loadClusterConfig(clusterDir, profile, values);
      expect(file("hosts", profile, "control2", "haproxy.cfg")).toBe(harness.haproxy);
      expect(file("hosts", profile, "control2", "prometheus.yml")).toBe(harness.prometheus);
      expect(file("hosts", profile, "control2", "alertmanager.yml")).toBe(harness.alertmanager);
    },
  );

  it("the databases: the exporter and the app by alias on their own server, replication at the peer's address", (ctx) => {
    if (skip) return ctx.skip(skip);
    for (const [node, peer] of [
      ["node1", "node2"],
      ["node2", "node1"],
    ] as const) {
      const at = addressesOf("hosts", node);
      // DATA_SOURCE_NAME and DB_HOST/DB_PORT (apps.yml) read this entry: the same engine.
      expect(at[`${node}-db:3306`]).toBe(`${node}-db:3306`);
      // MASTER_HOST/MASTER_PORT (replication.yml) read this one: the peer's engine.
      expect(at[`${peer}-db:3306`]).toBe(across(`${peer}-db`, 3306));
    }
  });

  it("every server's map names its own services by alias and every other one by address", (ctx) => {
    if (skip) return ctx.skip(skip);
    for (const server of ["control1", "control2", "node1", "node2"] as const) {
      const at = addressesOf("hosts", server);
      for (const s of topology.filter((x) => x.image))
        for (const p of s.ports)
          expect(at[`${s.alias}:${p}`], `${server} → ${s.alias}:${p}`).toBe(
            s.server === server ? `${s.alias}:${p}` : across(s.alias, p),
          );
    }
  });
});

describe("shared mode (one engine) renders exactly what the harness renders for the testcontainers provider", () => {
  it.for(profileNames)(
    "%s: haproxy.cfg, prometheus.yml, alertmanager.yml and both mariadb.cnf, byte for byte",
    (profile, ctx) => {
      if (skip) return ctx.skip(skip);
      const harness = loadClusterConfig(clusterDir, profile, { webhookUrl: ALERTMANAGER_WEBHOOK_URL });
      expect(file("shared", profile, "control2", "haproxy.cfg")).toBe(harness.haproxy);
      expect(file("shared", profile, "control2", "prometheus.yml")).toBe(harness.prometheus);
      expect(file("shared", profile, "control2", "alertmanager.yml")).toBe(harness.alertmanager);
      expect(file("shared", profile, "node1", "mariadb.cnf")).toBe(harness.mariadb.node1);
      expect(file("shared", profile, "node2", "mariadb.cnf")).toBe(harness.mariadb.node2);
      // Aliases everywhere: the names the lab network's DNS answers.
      expect(harness.haproxy).toContain(`server node1 ${aliasAddresses().node1App} check`);
    },
  );

  it("every address is the alias itself", (ctx) => {
    if (skip) return ctx.skip(skip);
    for (const server of ["control1", "control2", "node1", "node2"] as const)
      for (const [key, at] of Object.entries(addressesOf("shared", server))) expect(at).toBe(key);
  });
});
