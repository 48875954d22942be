/**
 * Drill "load-haproxy" — see harness/drills/load-haproxy.ts for the runbook and what each profile is expected to show.
 */
import { loadHaproxy } from "../harness/drills/load-haproxy.ts";
import { drillSuite } from "../harness/testing/run-scenario.ts";

// One profile at a time: the load drill measures capacity, and a drill beside it would take some.
drillSuite(loadHaproxy, { alone: true });
