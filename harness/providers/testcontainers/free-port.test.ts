import net from "node:net";
import { describe, expect, it } from "vitest";
import { ephemeralRange, freePortBelowEphemeral } from "./free-port.ts";

const listen = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve(s));
  });

describe("ports chosen long before they are bound", () => {
  it("reads the kernel's ephemeral range, with Linux's default when it cannot", () => {
    expect(ephemeralRange("32768\t60999\n")).toEqual([32768, 60999]);
    expect(ephemeralRange("1024 65535")).toEqual([1024, 65535]);
    expect(ephemeralRange("")).toEqual([32768, 60999]);
  });

  it("come from below the ephemeral range, free, and never one already handed out", async () => {
    const [low] = ephemeralRange();
    const taken = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const port = await freePortBelowEphemeral(taken);
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(Math.max(11_000, low));
      expect(taken.has(port)).toBe(false);
      taken.add(port);
    }
    const one = await freePortBelowEphemeral();
    const server = await listen(one);
    await new Promise((r) => server.close(r));
  });
});
