/**
 * Every drill of the registry (harness/drills/specs/<id>.ts, harness/drills/found/<id>.json), in both
 * profiles unless FIREDRILL_PROFILES narrows them: one describe per drill and profile, each with the
 * drill's verdict ("<drill>, <profile> profile > <what the profile expects>") and its Grafana
 * assertions. Each drill's spec says what it does and expects; the interpreter runs it.
 */
import { drills } from "../harness/drills/registry.ts";
import { drillSuite } from "../harness/testing/run-scenario.ts";

for (const drill of Object.values(drills)) drillSuite(drill);
