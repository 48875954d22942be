import { describe, expect, it } from "vitest";
import { parseProfile, profiles } from "./profiles.ts";

describe("profiles", () => {
  it("parses the two profiles and rejects others with the list", () => {
    expect(parseProfile("seed")).toBe("seed");
    expect(parseProfile("hardened")).toBe("hardened");
    expect(() => parseProfile("nope")).toThrow('unknown profile "nope"; use one of: seed, hardened');
  });

  it("keeps the seed as the original (file-pos, 60 s retry, an exporter that sees replication) and hardens the other", () => {
    expect(profiles.seed.replication).toEqual({ mode: "file-pos", connectRetrySeconds: 60 });
    // The original's exporter read SHOW SLAVE STATUS with REPLICATION CLIENT on 10.3: on 10.11 that is SLAVE MONITOR.
    expect(profiles.seed.exporterGrants).toContain("SLAVE MONITOR");
    expect(profiles.hardened.replication).toEqual({ mode: "gtid", connectRetrySeconds: 1 });
    expect(profiles.hardened.exporterGrants).toContain("SLAVE MONITOR");
  });
});
