/**
 * Drill "split-replication" — see harness/drills/split-replication.ts for the runbook and what each profile is expected to show.
 */
import { splitReplicationDrill } from "../harness/drills/split-replication.ts";
import { drillSuite } from "../harness/testing/run-scenario.ts";

drillSuite(splitReplicationDrill);
