import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { serverNames } from "../../topology/topology.ts";

/** cluster/vagrant/servers.yml: the one table the Vagrantfile, the Ansible inventory and this provider read. */
export const VagrantTable = z.strictObject({
  box: z.string().min(1),
  box_version: z.string().regex(/^\d+(\.\d+)+$/, "a pinned box version"),
  network: z.string(),
  servers: z
    .array(
      z.strictObject({
        name: z.enum(serverNames),
        ip: z.string().regex(/^\d+\.\d+\.\d+\.\d+$/),
        memory: z.number().int().positive(),
        cpus: z.number().int().positive(),
      }),
    )
    .length(serverNames.length),
  forwarded_ports: z.record(z.string(), z.record(z.string(), z.number().int())),
  placement: z.record(z.string(), z.enum(serverNames)),
});
export type VagrantTable = z.infer<typeof VagrantTable>;

export function readVagrantTable(clusterDir: string): VagrantTable {
  const file = path.join(clusterDir, "vagrant", "servers.yml");
  return VagrantTable.parse(parse(readFileSync(file, "utf8")));
}

export function ipOfServer(table: VagrantTable, server: string): string {
  const s = table.servers.find((x) => x.name === server);
  if (!s) throw new Error(`servers.yml has no server "${server}"`);
  return s.ip;
}
