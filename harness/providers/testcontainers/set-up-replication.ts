import type { Profile } from "../../config/profiles.ts";
import { verifyRoundTrip } from "../../db/replication-check.ts";
import { createLocalUsers, startReplication, waitReplicating } from "../../db/replication.ts";
import type { DbEndpoint } from "../../lab/lab.ts";
import type { Progress } from "../../progress/progress.ts";
import { nodeNames, type NodeName } from "../../topology/topology.ts";
import type { Secrets } from "./lab-context.ts";

export async function setUpReplication(
  dbs: Record<NodeName, DbEndpoint>,
  secrets: Secrets,
  profile: Profile,
  progress: Progress,
): Promise<void> {
  await Promise.all(
    nodeNames.map((n) => createLocalUsers(dbs[n], secrets.repl, secrets.exporter, profile, secrets.appUser)),
  );
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
