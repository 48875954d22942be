import { describe, expect, it } from "vitest";
import type { Clock } from "./clock.ts";
import { waitUntil } from "./wait-until.ts";

function fakeClock(): Clock {
  let t = 0;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

describe("waitUntil", () => {
  it("returns the first defined value", async () => {
    let n = 0;
    const v = await waitUntil("x", async () => (++n === 3 ? "ok" : undefined), {
      timeoutMs: 10_000,
      clock: fakeClock(),
    });
    expect(v).toBe("ok");
    expect(n).toBe(3);
  });

  it("times out with the probe's last error in the message, not a bare timeout", async () => {
    const clock = fakeClock();
    await expect(
      waitUntil("db answers", async () => Promise.reject(new Error("ECONNREFUSED 127.0.0.1:3306")), {
        timeoutMs: 1000,
        clock,
      }),
    ).rejects.toThrow(/db answers: not reached after 1\.0 s; last: ECONNREFUSED 127\.0\.0\.1:3306/);
  });
});
