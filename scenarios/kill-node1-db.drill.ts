/**
 * Drill "kill-node1-db" — see harness/drills/kill-node1-db.ts for the runbook and what each profile is expected to show.
 */
import { killNode1Db } from "../harness/drills/kill-node1-db.ts";
import { drillSuite } from "../harness/testing/run-scenario.ts";

drillSuite(killNode1Db);
