import { describe, expect, it } from "vitest";
import { safely, worst } from "./check-result.ts";

describe("verdicts", () => {
  it("worst wins: false over unknown over true", () => {
    expect(worst([true, true])).toBe(true);
    expect(worst([true, "unknown"])).toBe("unknown");
    expect(worst(["unknown", false, true])).toBe(false);
  });

  it("a crashed checker is unknown, with the reason", () => {
    const v = safely("durability", () => {
      throw new Error("snapshot missing");
    });
    expect(v).toMatchObject({
      valid: "unknown",
      findings: [{ kind: "checker-crashed", message: "snapshot missing" }],
    });
  });
});
