/**
 * One source of configuration, two ways to deploy it: the Ansible role renders the very templates of
 * cluster/config/<profile>/ with the same placeholder names as the harness, and mirrors the topology
 * and the profiles' deployment settings. Each check here fails when the two drift apart.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { addressPlaceholders, loadClusterConfig } from "../../config/cluster-config.ts";
import { profileNames, profiles } from "../../config/profiles.ts";
import { renderTemplate } from "../../config/render-template.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { service, topology } from "../../topology/topology.ts";
import { readVagrantTable } from "../vagrant/vagrant-table.ts";

const clusterDir = resolveSettings().clusterDir;
const role = path.join(clusterDir, "ansible", "roles", "firedrill_stack");
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** The placeholders a template uses, as the harness's renderer reads them. */
function placeholders(profile: string, file: string): string[] {
  const text = readFileSync(path.join(clusterDir, "config", profile, file), "utf8");
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

interface RenderTask {
  name: string;
  files: string[];
  vars: string[];
  /** Placeholder → "alias:port" for the values read from the role's address map (`_fd_at[...]`). */
  addresses: Record<string, string>;
}

/** Each role task that renders cluster/config templates: which files, with which `template_vars` names. */
function renderTasks(): RenderTask[] {
  const tasks = readdirSync(path.join(role, "tasks")).flatMap(
    (f) =>
      parse(readFileSync(path.join(role, "tasks", f), "utf8")) as {
        name: string;
        loop?: string;
        "ansible.builtin.copy"?: { content?: string };
      }[],
  );
  return tasks
    .filter((t) => (t["ansible.builtin.copy"]?.content ?? "").includes("template_vars"))
    .map((t) => {
      const content = t["ansible.builtin.copy"]!.content!;
      const direct = [...content.matchAll(/'\/([\w.]+)'/g)].map((m) => m[1]!);
      const looped = [...String(t.loop ?? "").matchAll(/'([\w.]+\.(?:cfg|yml|cnf))'/g)].map((m) => m[1]!);
      const vars = /template_vars=\{([^}]*)\}/s.exec(content)![1]!;
      return {
        name: t.name,
        files: [...direct, ...looped],
        vars: [...vars.matchAll(/'([A-Za-z][A-Za-z0-9_]*)'\s*:/g)].map((m) => m[1]!).sort(),
        addresses: Object.fromEntries(
          [...vars.matchAll(/'([A-Za-z][A-Za-z0-9_]*)'\s*:\s*_fd_at\['([\w-]+:\d+)'\]/g)].map((m) => [
            m[1]!,
            m[2]!,
          ]),
        ),
      };
    });
}

const defaults = parse(readFileSync(path.join(role, "defaults", "main.yml"), "utf8")) as {
  firedrill_topology: { alias: string; server: string; image: string; ports: number[] }[];
  firedrill_profiles: Record<
    string,
    {
      replication_mode: string;
      connect_retry: number;
      exporter_grants: string[];
      app_grants: string[];
      auto_increment_offset: Record<string, number>;
      exporter_args: string[];
      app_env: Record<string, string>;
    }
  >;
  firedrill_host_ports: Record<string, Record<string, string>>;
};

describe("Ansible and the harness share one configuration", () => {
  const rendered = ["haproxy.cfg", "mariadb.cnf", "prometheus.yml", "alertmanager.yml"];

  it("the role renders the same four templates the harness renders", () => {
    expect(
      renderTasks()
        .flatMap((t) => t.files)
        .sort(),
    ).toEqual([...rendered].sort());
  });

  it.each(renderTasks().map((t) => [t.name, t] as const))(
    "%s: its template_vars are exactly the placeholders of the files it renders, in both profiles",
    (_name, task) => {
      const used = [
        ...new Set(profileNames.flatMap((p) => task.files.flatMap((f) => placeholders(p, f)))),
      ].sort();
      expect(task.vars).toEqual(used);
      // And with those names every file renders with the harness's own renderer (which refuses a gap).
      const values = Object.fromEntries(task.vars.map((n) => [n, "x"]));
      for (const p of profileNames)
        for (const f of task.files)
          expect(() =>
            renderTemplate(readFileSync(path.join(clusterDir, "config", p, f), "utf8"), values, f),
          ).not.toThrow();
    },
  );

  it.each(profileNames)(
    "%s: the harness renders every template too (no placeholder without a value)",
    (profile) => {
      expect(() =>
        loadClusterConfig(clusterDir, profile, { webhookUrl: "http://receiver:9099/hook/alertmanager" }),
      ).not.toThrow();
    },
  );

  it("every address placeholder names the same service and port in the role as in the harness", () => {
    const fromRole = Object.assign({}, ...renderTasks().map((t) => t.addresses)) as Record<string, string>;
    const fromHarness = Object.fromEntries(
      Object.entries(addressPlaceholders).map(([name, a]) => [name, `${a.alias}:${a.port}`]),
    );
    expect(fromRole).toEqual(fromHarness);
    for (const a of Object.values(addressPlaceholders))
      expect(topology.find((s) => s.alias === a.alias)?.ports).toContain(a.port);
  });

  // control2's files are read on control2: a service written there by alias must run on control2,
  // since Docker's DNS answers only for the same engine (the `hosts` mode has one per server).
  it.each(profileNames)(
    "%s: HAProxy's, Prometheus' and Alertmanager's files name only control2's own services by alias",
    (profile) => {
      const aliases = new Set(topology.map((s) => s.alias));
      const named = ["haproxy.cfg", "prometheus.yml", "alertmanager.yml"].flatMap((f) => {
        const text = readFileSync(path.join(clusterDir, "config", profile, f), "utf8")
          // Comments may mention anything; an `instance` label is a name, not an address.
          .replace(/#.*$/gm, "")
          .replace(/instance: "[^"]*"/g, "");
        return [...text.matchAll(/([a-z][a-z0-9-]*):(\d+)/g)]
          .filter((m) => aliases.has(m[1]!))
          .map((m) => ({ f, alias: m[1]! }));
      });
      // Prometheus finds Alertmanager and HAProxy by alias: the check looks at something.
      expect(named.map((n) => n.alias)).toContain("alertmanager");
      for (const n of named)
        expect(service(n.alias).server, `${profile}/${n.f}: ${n.alias}`).toBe("control2");
    },
  );

  it("the check above can fail: a placeholder only the harness knows is caught", () => {
    expect(() => renderTemplate("server_id = {{serverId}} {{newThing}}", { serverId: 1 }, "planted")).toThrow(
      /newThing/,
    );
  });

  it("the role's topology is harness/topology/topology.ts (every service with an image)", () => {
    const fromTs = topology
      .filter((s) => s.image !== undefined)
      .map((s) => ({ alias: s.alias, server: s.server, image: s.image, ports: [...s.ports] }));
    expect(defaults.firedrill_topology).toEqual(fromTs);
    expect(Object.keys(defaults.firedrill_host_ports).sort()).toEqual(fromTs.map((s) => s.alias).sort());
  });

  it("the role's profiles deploy what harness/config/profiles.ts says", () => {
    for (const name of profileNames) {
      const p = profiles[name];
      expect(defaults.firedrill_profiles[name]).toEqual({
        replication_mode: p.replication.mode,
        connect_retry: p.replication.connectRetrySeconds,
        exporter_grants: [...p.exporterGrants],
        app_grants: [...p.appGrants],
        auto_increment_offset: { ...p.autoIncrementOffset },
        exporter_args: [...p.exporterArgs],
        app_env: { ...p.appEnv },
      });
    }
  });

  it("the Vagrant table forwards every published port of every service, from the server it runs on", () => {
    const table = readVagrantTable(clusterDir);
    for (const s of topology.filter((x) => x.image !== undefined)) {
      expect(table.placement[s.alias]).toBe(s.server);
      expect(
        Object.keys(table.forwarded_ports[s.alias] ?? {})
          .map(Number)
          .sort(),
      ).toEqual([...s.ports].sort());
    }
    const hostPorts = Object.values(table.forwarded_ports).flatMap((p) => Object.values(p));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });
});
