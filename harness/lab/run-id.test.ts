import { describe, expect, it } from "vitest";
import { newRunId } from "./run-id.ts";

describe("newRunId", () => {
  it("is sortable by time and unique", () => {
    const id = newRunId(new Date("2026-11-25T01:30:45.123Z"));
    expect(id).toMatch(/^fd-20261125-013045-[0-9a-f]{4}$/);
    expect(newRunId()).not.toBe(newRunId());
  });
});
