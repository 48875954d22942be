import type { StartedTestContainer } from "testcontainers";
import type { ProfileName } from "../../config/profiles.ts";
import { dockerClient } from "../../engine/docker-client.ts";
import type { Lab, LabEndpoints } from "../../lab/lab.ts";
import { mustGet } from "./lab-endpoints.ts";

export interface LabParts {
  runId: string;
  profile: ProfileName;
  endpoints: LabEndpoints;
  started: Map<string, StartedTestContainer>;
  down: () => Promise<void>;
  networkName: string;
  labels: Record<string, string>;
  netadminImage: string;
}

/** The lab handed to drills: its containers by alias, their addresses, and one down() however often called. */
export function makeLab({ started, down, ...fields }: LabParts): Lab {
  const { networkName } = fields;
  let downed: Promise<void> | undefined;
  const container = (alias: string) => dockerClient().getContainer(mustGet(started, alias).getId());
  const lab: Lab = {
    ...fields,
    container,
    ipOf: async (alias) => {
      const ip = (await container(alias).inspect()).NetworkSettings.Networks[networkName]?.IPAddress;
      if (!ip) throw new Error(`${alias} has no address on ${networkName} (is it running?)`);
      return ip;
    },
    down: () => (downed ??= down()),
    [Symbol.asyncDispose]: () => lab.down(),
  };
  return lab;
}
