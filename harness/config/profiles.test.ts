import { describe, expect, it } from "vitest";
import { parseProfile, profiles } from "./profiles.ts";

describe("profiles", () => {
  it("parses the two profiles and rejects others with the list", () => {
    expect(parseProfile("seed")).toBe("seed");
    expect(parseProfile("hardened")).toBe("hardened");
    expect(() => parseProfile("nope")).toThrow('unknown profile "nope"; use one of: seed, hardened');
  });

  it("keeps the seed as the original (60 s retry, no slave-status grant) and hardens the other", () => {
    expect(profiles.seed.replication).toEqual({ mode: "file-pos", connectRetrySeconds: 60 });
    expect(profiles.seed.exporterGrants).not.toContain("SLAVE MONITOR");
    expect(profiles.hardened.replication).toEqual({ mode: "gtid", connectRetrySeconds: 1 });
    expect(profiles.hardened.exporterGrants).toContain("SLAVE MONITOR");
  });
});
