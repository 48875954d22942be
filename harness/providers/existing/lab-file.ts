import { readFileSync } from "node:fs";
import { z } from "zod";
import { ProfileName } from "../../config/profiles.ts";
import type { LabEndpoints } from "../../lab/lab.ts";
import { serverNames, type ServerName } from "../../topology/topology.ts";
import { UserError } from "../../util/errors.ts";

/**
 * The file through which firedrill attaches to a lab it did not start: what the Ansible role writes
 * (cluster/ansible/roles/firedrill_stack/templates/lab.json.j2), or what a team writes for its own lab.
 */
const loopbackUrl = z
  .string()
  .url()
  .refine((u) => ["127.0.0.1", "localhost", "[::1]"].includes(new URL(u).hostname), {
    message: "firedrill talks to 127.0.0.1 only: forward the port (ssh -L, Vagrant forwarded_port)",
  });

const Db = z.strictObject({
  host: z.enum(["127.0.0.1", "localhost"]),
  port: z.number().int().min(1).max(65535),
  user: z.string().min(1),
  password: z.string().min(1),
  rootPassword: z.string().min(1),
  database: z.string().min(1),
});

const UrlOf = z.strictObject({ url: loopbackUrl });

const Node = z.strictObject({
  app: z.strictObject({ url: loopbackUrl }),
  db: Db,
  exporter: z.strictObject({ url: loopbackUrl }),
});

const Endpoints = z.strictObject({
  runId: z.string().min(1),
  profile: ProfileName,
  haproxy: z.strictObject({
    url: loopbackUrl,
    statsUrl: loopbackUrl,
    metricsUrl: loopbackUrl,
    statsUser: z.string(),
    statsPassword: z.string(),
  }),
  prometheus: z.strictObject({ url: loopbackUrl }),
  alertmanager: z.strictObject({ url: loopbackUrl }),
  receiver: z.strictObject({ url: loopbackUrl }),
  grafana: z.union([
    z.strictObject({ url: loopbackUrl, user: z.string(), password: z.string() }),
    z.strictObject({ skipped: z.string() }),
  ]),
  nodes: z.strictObject({ node1: Node, node2: Node }),
  nodeExporters: z.strictObject(
    Object.fromEntries(serverNames.map((s) => [s, UrlOf])) as Record<ServerName, typeof UrlOf>,
  ),
});

/** How firedrill reaches a server's Docker engine: this machine's, or another one over SSH. */
export const EngineAddress = z.union([
  z.literal("local"),
  z.string().regex(/^ssh:\/\/[^@/\s]+@[^:/\s]+(:\d+)?$/, "ssh://user@host[:port]"),
]);

const Server = z.strictObject({
  engine: EngineAddress,
  /** Private key for the SSH engine (else the SSH agent). */
  identityFile: z.string().optional(),
});

export const LabFile = z
  .strictObject({
    runId: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    profile: ProfileName,
    /** The lab network's name on each engine. */
    networkName: z.string().min(1),
    /** The network-admin helper image on the engines (faults run nft/tc with it). */
    netadminImage: z.string(),
    servers: z.strictObject(
      Object.fromEntries(serverNames.map((s) => [s, Server])) as Record<ServerName, typeof Server>,
    ),
    endpoints: Endpoints,
  })
  .refine((f) => f.endpoints.runId === f.runId && f.endpoints.profile === f.profile, {
    message: "endpoints.runId and endpoints.profile must equal runId and profile",
  });
export type LabFile = z.infer<typeof LabFile>;

/** Reads and validates a lab file; every problem is one line saying where (exit 2). */
export function readLabFile(file: string): LabFile & { endpoints: LabEndpoints } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UserError(`lab file ${file}: ${(err as Error).message}`);
  }
  return parseLabFile(raw, file);
}

export function parseLabFile(raw: unknown, source: string): LabFile & { endpoints: LabEndpoints } {
  const parsed = LabFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
    throw new UserError(`lab file ${source}: ${issues.join("; ")}`);
  }
  return parsed.data as LabFile & { endpoints: LabEndpoints };
}
