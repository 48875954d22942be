import { describe, expect, it } from "vitest";
import type { ImageTags } from "../../images/build-images.ts";
import { ProviderUnavailableError } from "../../lab/lab.ts";
import { stderrProgress } from "../../progress/progress.ts";
import { labImages } from "../../topology/topology.ts";
import { imagesFor } from "./machine-images.ts";
import { upMachinesLab } from "./machines-provider.ts";

const tags = Object.fromEntries(labImages.map((n) => [n, `firedrill/${n}:h`])) as ImageTags;

describe("machines provider", () => {
  it("refuses a mutation before building or starting anything", async () => {
    let built = false;
    const up = upMachinesLab({
      runId: "fd-x",
      profile: "hardened",
      clusterDir: "/nowhere",
      stateDir: "/nowhere",
      progress: stderrProgress({ quiet: true }),
      images: async () => {
        built = true;
        return { lab: tags, machine: "firedrill/machine:h" };
      },
      mutation: { name: "haproxy-tcp-check" },
    });
    await expect(up).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(up).rejects.toThrow(
      /^provider machines cannot run here: mutants run on the testcontainers provider only/,
    );
    expect(built).toBe(false);
  });

  it("loads each machine with its own services' images and the fault helper, nothing else", () => {
    expect(imagesFor("control1", tags)).toEqual([
      "firedrill/netadmin:h",
      "firedrill/node-exporter:h",
      "firedrill/receiver:h",
    ]);
    expect(imagesFor("control2", tags)).toEqual([
      "firedrill/alertmanager:h",
      "firedrill/haproxy:h",
      "firedrill/netadmin:h",
      "firedrill/node-exporter:h",
      "firedrill/prometheus:h",
    ]);
    expect(imagesFor("node2", tags)).toEqual([
      "firedrill/app:h",
      "firedrill/mariadb:h",
      "firedrill/mysqld-exporter:h",
      "firedrill/netadmin:h",
      "firedrill/node-exporter:h",
    ]);
  });
});
