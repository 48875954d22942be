import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProfileName } from "../../config/profiles.ts";
import { queryRows, withRoot } from "../../db/sql.ts";
import { slaveState } from "../../db/replication.ts";
import { dockerClient } from "../../engine/docker-client.ts";
import type { Lab } from "../../lab/lab.ts";
import { LABEL_FIREDRILL, LABEL_RUN } from "../../lab/labels.ts";
import { AppClient } from "../../probes/app-client.ts";
import { fetchServerStates } from "../../probes/haproxy-metrics.ts";
import { sumSamples } from "../../probes/metrics-text.ts";
import { PrometheusClient } from "../../probes/prometheus-client.ts";
import { leftovers } from "../../testing/lab-assertions.ts";
import { startTestLab } from "../../testing/lab-fixture.ts";
import { waitUntil } from "../../util/wait-until.ts";

const unique = (p: string) => `${p}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

async function listTitleOn(lab: Lab, node: "node1" | "node2", id: number): Promise<string | undefined> {
  const db = lab.endpoints.nodes[node].db;
  const rows = await withRoot(
    db,
    (c) => queryRows(c, "SELECT title FROM todo_list WHERE id = ?", [id]),
    db.database,
  );
  return rows[0]?.title as string | undefined;
}

describe.each<ProfileName>(["hardened", "seed"])("testcontainers lab, %s profile", (profile) => {
  let lab: Lab;
  let client: AppClient;

  beforeAll(async () => {
    lab = await startTestLab(profile);
    client = new AppClient(lab.endpoints.haproxy.url);
  });
  afterAll(async () => {
    const runId = lab?.runId;
    await lab?.down();
    if (runId) expect(await leftovers(runId)).toEqual([]);
  });

  it("serves the app through HAProxy, from node1 (node2 is the backup)", async () => {
    const home = await client.home();
    expect(home.status).toBe(200);
    expect(home.servedBy).toBe("node1");
    expect(String(home.body)).toMatch(/<html/i);
  });

  it("binds every host port on 127.0.0.1 and labels every container and the network", async () => {
    const docker = dockerClient();
    const containers = await docker.listContainers({
      filters: JSON.stringify({ label: [`${LABEL_RUN}=${lab.runId}`] }),
    });
    expect(containers.map((c) => c.Labels["firedrill.role"]).sort()).toEqual([
      "alertmanager",
      "control1-node-exporter",
      "control2-node-exporter",
      "haproxy",
      "node1-app",
      "node1-db",
      "node1-exporter",
      "node1-node-exporter",
      "node2-app",
      "node2-db",
      "node2-exporter",
      "node2-node-exporter",
      "prometheus",
      "receiver",
    ]);
    for (const c of containers) {
      expect(c.Labels[LABEL_FIREDRILL]).toBe("1");
      const bindings = Object.values(
        (await docker.getContainer(c.Id).inspect()).HostConfig.PortBindings ?? {},
      ).flat();
      expect(bindings.length).toBeGreaterThan(0);
      for (const b of bindings as { HostIp: string }[]) expect(b.HostIp).toBe("127.0.0.1");
    }
    const networks = await docker.listNetworks({
      filters: JSON.stringify({ label: [`${LABEL_RUN}=${lab.runId}`] }),
    });
    expect(networks).toHaveLength(1);
  });

  it("counts requests of every gunicorn worker in one /metrics scrape", async () => {
    const node1 = new AppClient(lab.endpoints.nodes.node1.app.url);
    const scrape = async () => {
      const res = await fetch(`${lab.endpoints.nodes.node1.app.url}/metrics`);
      return sumSamples(await res.text(), "django_http_requests_total_by_method_total", { method: "POST" });
    };
    const before = await scrape();
    // Two workers share the load; a scrape that saw only one worker would count about half.
    for (let i = 0; i < 20; i++) expect((await node1.createList(unique("metrics"))).status).toBe(201);
    expect((await scrape()) - before).toBe(20);
  });

  it("is scraped by Prometheus: every target up, every server's node exporter, replication metrics in both profiles", async () => {
    const prometheus = new PrometheusClient(lab.endpoints.prometheus.url);
    const targets = await waitUntil(
      "every Prometheus target up",
      async () => {
        const ts = await prometheus.targets();
        // Right after start the target list is still being filled in.
        if (ts.length < 12) throw new Error(`${ts.length} of 12 targets known`);
        const down = ts.filter((t) => t.health !== "up");
        if (down.length > 0)
          throw new Error(down.map((t) => `${t.labels.instance}: ${t.health} ${t.lastError}`).join("; "));
        return ts;
      },
      // The seed scrapes every 15 s, as the original: a target is "unknown" until its first scrape.
      { timeoutMs: profile === "seed" ? 40_000 : 15_000, intervalMs: 500 },
    );
    const mysqldJob = profile === "seed" ? "mariadb-exporter" : "mysqld";
    expect(targets.map((t) => t.labels.job).sort()).toEqual(
      [
        "alertmanager",
        "app",
        "app",
        "firedrill",
        "haproxy",
        mysqldJob,
        mysqldJob,
        ...Array(4).fill("node-exporter"),
        "prometheus",
      ].sort(),
    );
    expect(
      targets
        .filter((t) => t.labels.job === "node-exporter")
        .map((t) => t.labels.server)
        .sort(),
    ).toEqual(["control1", "control2", "node1", "node2"]);
    // Both profiles grant SLAVE MONITOR (the seed because the original's REPLICATION CLIENT did as much on 10.3).
    const slaveIo = await waitUntil(
      "replication metrics of both nodes",
      async () => {
        const r = await prometheus.query("mysql_slave_status_slave_io_running");
        if (r.length < 2) throw new Error(`${r.length} of 2 series`);
        return r;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(slaveIo.map((s) => `${s.metric.node}=${s.value}`).sort()).toEqual(["node1=1", "node2=1"]);
  });

  it("replicates a list created through HAProxy to both databases within 2 s", async () => {
    const title = unique("replicated");
    const created = await client.createList(title);
    expect(created.status).toBe(201);
    const id = created.body.id;
    for (const node of ["node1", "node2"] as const) {
      await waitUntil(
        `list ${id} on ${node}`,
        async () => ((await listTitleOn(lab, node, id)) === title ? true : undefined),
        {
          timeoutMs: 2000,
          intervalMs: 50,
        },
      );
    }
  });

  it("replicates a row written directly on node2 to node1", async () => {
    const db = lab.endpoints.nodes.node2.db;
    const title = unique("from-node2");
    const [result] = await withRoot(
      db,
      (c) => c.query("INSERT INTO todo_list (title, created_at) VALUES (?, NOW(6))", [title]),
      db.database,
    );
    const id = (result as { insertId: number }).insertId;
    await waitUntil(
      `node2's list ${id} on node1`,
      async () => ((await listTitleOn(lab, "node1", id)) === title ? true : undefined),
      {
        timeoutMs: 5000,
        intervalMs: 50,
      },
    );
  });

  it("never collides auto-increment ids written on both nodes at once", async () => {
    const insertMany = async (node: "node1" | "node2") => {
      const db = lab.endpoints.nodes[node].db;
      return withRoot(
        db,
        async (c) => {
          const ids: number[] = [];
          for (let i = 0; i < 25; i++) {
            const [r] = await c.query("INSERT INTO todo_list (title, created_at) VALUES (?, NOW(6))", [
              unique(`ai-${node}`),
            ]);
            ids.push((r as { insertId: number }).insertId);
          }
          return ids;
        },
        db.database,
      );
    };
    const [ids1, ids2] = await Promise.all([insertMany("node1"), insertMany("node2")]);
    expect(new Set([...ids1, ...ids2]).size).toBe(50);
    // Both replicas keep applying: a collision would have stopped an SQL thread with error 1062.
    await waitUntil(
      "all 50 rows on both nodes",
      async () => {
        const all = [...ids1, ...ids2];
        for (const node of ["node1", "node2"] as const) {
          const db = lab.endpoints.nodes[node].db;
          const rows = await withRoot(
            db,
            (c) => queryRows(c, "SELECT COUNT(*) AS n FROM todo_list WHERE id IN (?)", [all]),
            db.database,
          );
          if (Number(rows[0]?.n) !== 50) return undefined;
        }
        return true;
      },
      { timeoutMs: 10_000 },
    );
    for (const node of ["node1", "node2"] as const) {
      const s = await slaveState(lab.endpoints.nodes[node].db);
      expect({ io: s?.ioRunning, sql: s?.sqlRunning, errno: s?.lastSqlErrno }).toEqual({
        io: "Yes",
        sql: "Yes",
        errno: 0,
      });
    }
  });

  it("fails over to node2 when node1's app stops, and back when it returns", async () => {
    await lab.container("node1-app").stop({ t: 1 });
    const served = await waitUntil(
      "a list created through HAProxy, answered by node2",
      async () => {
        const r = await client
          .createList(unique("failover"))
          .catch((e: Error) => ({ status: 0, servedBy: e.message }));
        return r.status === 201 && r.servedBy === "node2" ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(served.servedBy).toBe("node2");
    await lab.container("node1-app").start();
    await waitUntil(
      "traffic back on node1",
      async () => ((await client.home().catch(() => undefined))?.servedBy === "node1" ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  it(
    profile === "hardened"
      ? "marks node1 down when its database stops (HTTP check on /healthz) and serves from node2"
      : "keeps routing to node1 when its database stops (TCP check) and the requests fail",
    async () => {
      await lab.container("node1-db").stop({ t: 2 });
      if (profile === "hardened") {
        await waitUntil(
          "HAProxy marks node1 DOWN",
          async () =>
            (await fetchServerStates(lab.endpoints.haproxy.metricsUrl)).node1 === "DOWN" ? true : undefined,
          { timeoutMs: 15_000, intervalMs: 200 },
        );
        const r = await client.createList(unique("db-down"));
        expect({ status: r.status, servedBy: r.servedBy }).toEqual({ status: 201, servedBy: "node2" });
      } else {
        // Give HAProxy's check every chance to notice (defaults: inter 2 s, fall 3) before judging.
        await new Promise((r) => setTimeout(r, 10_000));
        expect((await fetchServerStates(lab.endpoints.haproxy.metricsUrl)).node1).toBe("UP");
        const results = [];
        for (let i = 0; i < 5; i++) results.push(await client.createList(unique("db-down")));
        for (const r of results) {
          expect(r.servedBy).toBe("node1");
          expect(r.status).toBeGreaterThanOrEqual(500);
        }
      }
    },
  );
});
