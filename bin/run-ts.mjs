#!/usr/bin/env node
// Runs a TypeScript entry point through tsx, so the CLI works on Node 20 without a build step.
import { register } from "tsx/esm/api";
import path from "node:path";
import { pathToFileURL } from "node:url";

register();
const [entry, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], entry, ...rest];
await import(pathToFileURL(path.resolve(entry)).href);
