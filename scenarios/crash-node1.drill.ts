/**
 * Drill "crash-node1" — see harness/drills/crash-node1.ts for the runbook and what each profile is expected to show.
 */
import { crashNode1 } from "../harness/drills/crash-node1.ts";
import { drillSuite } from "../harness/testing/run-scenario.ts";

drillSuite(crashNode1);
