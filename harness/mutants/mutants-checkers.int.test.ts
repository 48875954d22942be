import { beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../lab/run-id.ts";
import { resolveSettings } from "../settings/settings.ts";
import { imageTags } from "../testing/images-for-tests.ts";
import { runOnce } from "../testing/run-once.ts";
import { nodeNames } from "../topology/topology.ts";
import type { ImageTags } from "../images/build-images.ts";
import { catalogue } from "./catalogue.ts";
import { plant, type PlantedMutant } from "./plant.ts";

const { clusterDir } = resolveSettings();
const runId = newRunId();
const planted = catalogue.map((m) => ({ id: m.id, p: plant(m, clusterDir) }));
const touching = (part: string) => planted.filter(({ p }) => p.changed.includes(part));

/**
 * One container per checker runs it on every variant under /m/<name>/ and prints `OK <name>` or
 * `FAIL <name>` with the checker's output. `broken` is a planted mistake that must fail, so a checker
 * that accepts everything cannot pass this test.
 */
async function checkAll(
  image: string,
  variants: Record<string, Record<string, string>>,
  check: (dir: string) => string,
  env: Record<string, string> = {},
): Promise<Record<string, { ok: boolean; output: string }>> {
  const files: Record<string, string> = {};
  for (const [name, byFile] of Object.entries(variants))
    for (const [file, content] of Object.entries(byFile)) files[`/m/${name}/${file}`] = content;
  const script = Object.keys(variants)
    .map(
      (name) =>
        `if out=$( { ${check(`/m/${name}`)} ; } 2>&1 ); then echo "OK ${name}"; else echo "FAIL ${name}"; echo "$out" | tail -n 5; fi`,
    )
    .join("\n");
  const r = await runOnce({ image, cmd: ["sh", "-c", script], env, files, runId, timeoutMs: 120_000 });
  const verdicts: Record<string, { ok: boolean; output: string }> = {};
  for (const name of Object.keys(variants)) {
    const ok = new RegExp(`^OK ${name}$`, "m").test(r.output);
    const failed = new RegExp(`^FAIL ${name}$`, "m").test(r.output);
    verdicts[name] = { ok: ok && !failed, output: r.output };
  }
  return verdicts;
}

const rulesOf = (p: PlantedMutant) =>
  Object.fromEntries(Object.entries(p.mutated.config.rules).map(([f, t]) => [`rules/${f}`, t]));

// A mutant is an operator's mistake, not a syntax error: every mutated file still passes the checker
// that guards it in real life (the same binaries the lab runs).
describe("every mutated configuration still passes the real checkers", () => {
  let tags: ImageTags;
  beforeAll(async () => {
    tags = await imageTags();
  });

  it("haproxy -c accepts each mutated haproxy.cfg", async () => {
    const variants: Record<string, Record<string, string>> = Object.fromEntries(
      touching("haproxy").map(({ id, p }) => [id, { "haproxy.cfg": p.mutated.config.haproxy }]),
    );
    variants.broken = {
      "haproxy.cfg": `${planted[0]!.p.original.config.haproxy}\n    timeout connect 5parsecs\n`,
    };
    const v = await checkAll(tags.haproxy, variants, (d) => `haproxy -c -f ${d}/haproxy.cfg`, {
      HAPROXY_STATS_USER: "u",
      HAPROXY_STATS_PASSWORD: "p",
    });
    expect(Object.keys(variants).length).toBeGreaterThan(2);
    for (const { id } of touching("haproxy")) expect(v[id]!.ok, `${id}\n${v[id]!.output}`).toBe(true);
    expect(v.broken!.ok, "haproxy -c must reject a planted syntax error").toBe(false);
  });

  it("promtool accepts each mutated rule set (check rules, and check config pointing at them)", async () => {
    const variants: Record<string, Record<string, string>> = {};
    for (const { id, p } of [...touching("rules"), ...touching("prometheus")]) {
      const prometheus = p.mutated.config.prometheus;
      const pointed = prometheus.replace("/etc/prometheus/rules/*.yml", `/m/${id}/rules/*.yml`);
      expect(pointed, "prometheus.yml loads its rules from /etc/prometheus/rules/*.yml").not.toBe(prometheus);
      variants[id] = { "prometheus.yml": pointed, ...rulesOf(p) };
    }
    const any = planted.find(({ p }) => p.changed.includes("rules"))!.p;
    variants.broken = {
      "prometheus.yml": any.original.config.prometheus.replace(
        "/etc/prometheus/rules/*.yml",
        "/m/broken/rules/*.yml",
      ),
      "rules/broken.yml": "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: 'up ==== 0'\n",
    };
    const v = await checkAll(
      tags.prometheus,
      variants,
      (d) => `promtool check rules ${d}/rules/*.yml && promtool check config ${d}/prometheus.yml`,
    );
    expect(touching("rules").length).toBeGreaterThanOrEqual(5);
    for (const id of Object.keys(variants).filter((n) => n !== "broken"))
      expect(v[id]!.ok, `${id}\n${v[id]!.output}`).toBe(true);
    expect(v.broken!.ok, "promtool must reject a planted bad expression").toBe(false);
  });

  it("amtool check-config accepts each mutated alertmanager.yml", async () => {
    const variants: Record<string, Record<string, string>> = Object.fromEntries(
      touching("alertmanager").map(({ id, p }) => [
        id,
        { "alertmanager.yml": p.mutated.config.alertmanager },
      ]),
    );
    variants.broken = {
      "alertmanager.yml": planted[0]!.p.original.config.alertmanager.replace(
        "group_wait: 0s",
        "group_wait: soon",
      ),
    };
    const v = await checkAll(tags.alertmanager, variants, (d) => `amtool check-config ${d}/alertmanager.yml`);
    expect(touching("alertmanager").length).toBeGreaterThanOrEqual(3);
    for (const { id } of touching("alertmanager")) expect(v[id]!.ok, `${id}\n${v[id]!.output}`).toBe(true);
    expect(v.broken!.ok, "amtool must reject a planted bad duration").toBe(false);
  });

  it("mariadbd accepts each mutated mariadb.cnf (--help --verbose reads it and refuses unknown settings)", async () => {
    const variants: Record<string, Record<string, string>> = Object.fromEntries(
      touching("mariadb").map(({ id, p }) => [
        id,
        Object.fromEntries(nodeNames.map((n) => [`${n}.cnf`, p.mutated.config.mariadb[n]])),
      ]),
    );
    variants.broken = { "node1.cnf": "[mysqld]\nslave_skip_errorz = 1062\n" };
    const check = (d: string) =>
      `for f in ${d}/*.cnf; do mariadbd --defaults-extra-file=$f --help --verbose >/dev/null || exit 1; done`;
    const v = await checkAll(tags.mariadb, variants, check);
    expect(touching("mariadb").length).toBeGreaterThanOrEqual(3);
    for (const { id } of touching("mariadb")) expect(v[id]!.ok, `${id}\n${v[id]!.output}`).toBe(true);
    expect(v.broken!.ok, "mariadbd must refuse an unknown setting").toBe(false);
  });

  it("python3 -m py_compile accepts each planted app file", async () => {
    const variants: Record<string, Record<string, string>> = {};
    for (const { id, p } of touching("files"))
      for (const f of p.files) (variants[id] ??= {})[f.path.replaceAll("/", "_")] = f.content;
    variants.broken = { "_app_todo_health.py": "def healthz(request)\n    return 1\n" };
    const v = await checkAll(
      tags.app,
      variants,
      (d) => `for f in ${d}/*.py; do python3 -m py_compile "$f" || exit 1; done`,
      // The files are mounted read-only: compiled output goes elsewhere.
      { PYTHONPYCACHEPREFIX: "/tmp/pycache" },
    );
    expect(touching("files").length).toBeGreaterThanOrEqual(2);
    for (const { id } of touching("files")) expect(v[id]!.ok, `${id}\n${v[id]!.output}`).toBe(true);
    expect(v.broken!.ok, "py_compile must reject a planted syntax error").toBe(false);
  });
});
