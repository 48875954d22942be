/**
 * Drill "split-brain-conflict" — see harness/drills/split-brain-conflict.ts for the runbook and what each profile is expected to show.
 */
import { splitBrainConflict } from "../harness/drills/split-brain-conflict.ts";
import { drillSuite } from "../harness/testing/run-scenario.ts";

drillSuite(splitBrainConflict);
