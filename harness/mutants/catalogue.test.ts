import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { drills } from "../drills/registry.ts";
import { resolveSettings } from "../settings/settings.ts";
import { catalogue, selectMutants } from "./catalogue.ts";
import { declaredExpectationIds } from "../drills/declared-ids.ts";
import { layers, matchingExpectation, type Mutant } from "./mutant.ts";
import { plant } from "./plant.ts";
import { AnchorNotFoundError, editRule, replaceOnce } from "./text-edit.ts";

const { clusterDir } = resolveSettings();

describe("the mutant catalogue", () => {
  it("has at least 17 mutants with unique, kebab-case ids", () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(17);
    const ids = catalogue.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("covers every layer of the stack", () => {
    expect(new Set(catalogue.map((m) => m.layer))).toEqual(new Set(layers));
  });

  it("names only real drills, and every drill must kill at least one mutant", () => {
    for (const m of catalogue) {
      expect(m.drills.length, m.id).toBeGreaterThan(0);
      for (const d of m.drills) expect(Object.keys(drills), m.id).toContain(d.drill);
    }
    for (const drill of Object.keys(drills))
      expect(
        catalogue.filter((m) => m.drills.some((d) => d.drill === drill)).map((m) => m.id),
        drill,
      ).not.toEqual([]);
  });

  it("says each operator's mistake in one sentence, and a title", () => {
    for (const m of catalogue) {
      expect(m.title.length, m.id).toBeGreaterThan(10);
      expect(m.why, m.id).toMatch(/^[A-Z].*\.$/);
      expect(m.why.includes("\n"), m.id).toBe(false);
    }
  });

  it("names, for each drill, expectation ids that drill declares (a typo would never match)", () => {
    const settings = resolveSettings();
    for (const m of catalogue)
      for (const d of m.drills) {
        const { ids, complete } = declaredExpectationIds(drills[d.drill]!, m.profile, settings);
        const matches = (ref: string) => {
          const idPattern = ref.split("#")[0]!;
          const re = new RegExp(
            `^${idPattern
              .split("*")
              .map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
              .join(".*")}$`,
          );
          return ids.some((id) => re.test(id));
        };
        // A scripted drill judges some lines as it goes: its alert lines are known only then.
        const known = d.breaks.filter((ref) => complete || !ref.startsWith("alert:"));
        expect(
          known.length > 0 ? known.some(matches) : true,
          `${m.id} → ${d.drill}: ${d.breaks.join(", ")} in ${ids.join(", ")}`,
        ).toBe(true);
      }
  });

  // The heart of it: a mutant whose anchor vanished must fail here, not silently stop mutating.
  it.each(catalogue.map((m) => [m.id, m] as const))(
    "%s finds its anchor in today's configuration and changes it",
    (_id, m: Mutant) => {
      const p = plant(m, clusterDir);
      expect(p.changed.length).toBeGreaterThan(0);
      // What the provider copies must still parse where it is YAML.
      for (const text of Object.values(p.mutated.config.rules))
        expect(() => parse(text) as unknown).not.toThrow();
      expect(() => parse(p.mutated.config.alertmanager) as unknown).not.toThrow();
      for (const f of p.files) expect(f.path).toMatch(/^\/app\/.*\.py$/);
    },
  );
});

describe("what each mutant changes", () => {
  const planted = (id: string) =>
    plant(
      catalogue.find((m) => m.id === id)!,
      clusterDir,
    );

  it("the TCP-only check keeps the servers and the passive check, and drops only the HTTP check", () => {
    const p = planted("haproxy-tcp-check");
    expect(p.changed).toEqual(["haproxy"]);
    expect(p.mutated.config.haproxy).not.toMatch(/httpchk|http-check/);
    expect(p.mutated.config.haproxy).toContain("observe layer7");
    expect(p.mutated.config.haproxy).toMatch(/server node2 node2-app:8000 check backup/);
  });

  it("a rule edit touches one rule only; a deleted rule is gone and the others stay", () => {
    const count = (rules: Record<string, string>) =>
      Object.values(rules).reduce((n, t) => n + (t.match(/- alert: /g)?.length ?? 0), 0);
    const slow = planted("rule-app-down-for-30s");
    expect(Object.values(slow.mutated.config.rules).join("")).toMatch(
      /alert: AppInstanceDown\n.*\n\s+for: 30s/,
    );
    expect(
      Object.values(slow.mutated.config.rules)
        .join("")
        .match(/for: 30s/g),
    ).toHaveLength(1);
    const deleted = planted("rule-io-thread-deleted");
    expect(count(deleted.mutated.config.rules)).toBe(count(deleted.original.config.rules) - 1);
    expect(Object.values(deleted.mutated.config.rules).join("")).not.toContain("ReplicationIOThreadStopped");
    expect(Object.values(deleted.mutated.config.rules).join("")).toContain(
      "alert: ReplicationSQLThreadStopped",
    );
  });

  it("the replication filter is on node2 only; skipping 1062 is on both", () => {
    const filter = planted("mariadb-ignore-item-table");
    expect(filter.mutated.config.mariadb.node1).toBe(filter.original.config.mariadb.node1);
    expect(filter.mutated.config.mariadb.node2).toContain("replicate_ignore_table = todo.todo_item");
    const skip = planted("mariadb-skip-duplicate-key");
    for (const node of ["node1", "node2"] as const)
      expect(skip.mutated.config.mariadb[node]).toContain("slave_skip_errors = 1062");
  });

  it("profile mutants change the harness-side settings, not the files", () => {
    const retry = planted("replication-connect-retry-60");
    expect(retry.changed).toEqual(["profile"]);
    expect(retry.mutated.profile.replication.connectRetrySeconds).toBe(60);
    const grants = planted("exporter-no-slave-monitor");
    expect(grants.mutated.profile.exporterGrants).not.toContain("SLAVE MONITOR");
    expect(grants.mutated.profile.exporterGrants).toContain("REPLICATION CLIENT");
  });

  it("app mutants plant the same edited module into both nodes' apps", () => {
    const p = planted("app-healthz-without-db");
    expect(p.files.map((f) => f.alias)).toEqual(["node1-app", "node2-app"]);
    expect(p.files[0]!.content).toMatch(/def healthz\(request\):\n {4}return JsonResponse/);
  });

  it("the dead webhook points the seed's Alertmanager at a port nothing listens on", () => {
    const p = planted("alertmanager-dead-webhook");
    expect(p.mutated.config.alertmanager).toContain("http://receiver:9098/hook/alertmanager");
    expect(p.mutated.config.alertmanager).not.toContain(":9099/");
  });
});

describe("anchored edits", () => {
  it("throw when the anchor is missing or not unique, and say where", () => {
    expect(() => replaceOnce("timeout connect 2s\n", "timeout connect 500ms", "", "haproxy.cfg")).toThrow(
      AnchorNotFoundError,
    );
    expect(() => replaceOnce("a\na\n", /^a$/m, "b", "x.cfg")).toThrow(/found 2 times in x\.cfg/);
    expect(() => replaceOnce("a\n", "b", "c", "x.cfg")).toThrow(/anchor "b" not found in x\.cfg/);
  });

  it("take `$` in the replacement literally", () => {
    expect(replaceOnce("x == 1", "== 1", '"$1"', "r")).toBe('x "$1"');
  });

  it("refuse a rule that is not there, and an edit that changes nothing", () => {
    const rules = { "a.yml": "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n" };
    expect(() => editRule(rules, "B", (b) => b)).toThrow(/not found in the rule files/);
    expect(() => editRule(rules, "A", (b) => b)).toThrow(/changed nothing/);
  });

  it("a planted mutant whose anchor is gone fails to plant (a changed config can never silently disarm it)", () => {
    const m = catalogue.find((x) => x.id === "haproxy-default-check-timing")!;
    const stale: Mutant = {
      ...m,
      mutation: (dir) => {
        const real = m.mutation(dir);
        return {
          ...real,
          config: (c) => real.config!({ ...c, haproxy: c.haproxy.replace("inter 500ms", "inter 400ms") }),
        };
      },
    };
    expect(() => plant(stale, clusterDir)).toThrow(
      /"default-server inter 500ms fastinter 200ms.*not found in haproxy\.cfg/,
    );
  });
});

describe("selecting mutants", () => {
  it("by id, drill and profile; --drill keeps only that drill", () => {
    expect(selectMutants({ ids: ["rule-5xx-as-percent"] }).map((m) => m.id)).toEqual(["rule-5xx-as-percent"]);
    const kill = selectMutants({ drill: "kill-node1-db", profile: "hardened" });
    expect(kill.map((m) => m.id)).toContain("haproxy-tcp-check");
    for (const m of kill) {
      expect(m.profile).toBe("hardened");
      expect(m.drills.map((d) => d.drill)).toEqual(["kill-node1-db"]);
    }
    expect(selectMutants({}).length).toBe(catalogue.length);
  });

  it("unknown names are one line listing the valid ones", () => {
    expect(() => selectMutants({ ids: ["nope"] })).toThrow(
      /^unknown mutant "nope"; mutants: haproxy-tcp-check, /,
    );
    expect(() => selectMutants({ drill: "nope" })).toThrow(/^unknown drill "nope"; drills: crash-node1, /);
    expect(() => selectMutants({ profile: "nope" })).toThrow(
      'unknown profile "nope"; use one of: seed, hardened',
    );
    expect(() => selectMutants({ ids: ["rule-5xx-as-percent"], profile: "seed" })).toThrow(
      /^no mutant matches rule-5xx-as-percent --profile seed/,
    );
  });
});

describe("matching an expectation", () => {
  const failover = {
    id: "failover",
    description: "outage ≤ 2 s",
    met: false,
    detail: "the outage lasted 9.1 s",
  };
  const alert = {
    id: 'alert:ServerDown{server="node1"}',
    description: "ServerDown fires",
    met: false,
    failed: ["fires", "notified"],
  };
  it("by id, or by id and a part that failed, with * in the id", () => {
    expect(matchingExpectation([failover], { drill: "d", breaks: ["failover"] })).toBe(
      "expected: outage ≤ 2 s — the outage lasted 9.1 s",
    );
    expect(matchingExpectation([alert], { drill: "d", breaks: ["alert:*#fires"] })).toBe(
      "expected: ServerDown fires",
    );
    expect(matchingExpectation([alert], { drill: "d", breaks: ["alert:*#resolves"] })).toBeUndefined();
    expect(
      matchingExpectation([alert], { drill: "d", breaks: ['alert:ServerDown{server="node2"}'] }),
    ).toBeUndefined();
  });
  it("never a met expectation, whatever its id", () => {
    expect(
      matchingExpectation([{ ...failover, met: true }], { drill: "d", breaks: ["failover"] }),
    ).toBeUndefined();
  });
});
