#!/usr/bin/env node
// Package bin: loads the TypeScript CLI through tsx (no build step; Node 20 has no type stripping).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../harness/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
