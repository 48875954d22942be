/**
 * Drill "split-replication-while-crash-node1" — a schedule `firedrill explore` found and shrank
 * (harness/explore/found/split-replication-while-crash-node1.json), judged by the explorer's invariants.
 */
import { findDrill } from "../harness/drills/registry.ts";
import { drillSuite } from "../harness/testing/run-scenario.ts";

drillSuite(findDrill("split-replication-while-crash-node1"));
