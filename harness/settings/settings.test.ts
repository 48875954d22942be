import { describe, expect, it } from "vitest";
import { UserError } from "../util/errors.ts";
import { resolveSettings } from "./settings.ts";

describe("settings from the environment", () => {
  it("runs both profiles, hardened first, unless FIREDRILL_PROFILES says otherwise", () => {
    expect(resolveSettings({}).profiles).toEqual(["hardened", "seed"]);
    expect(resolveSettings({ FIREDRILL_PROFILES: "" }).profiles).toEqual(["hardened", "seed"]);
    expect(resolveSettings({ FIREDRILL_PROFILES: "seed" }).profiles).toEqual(["seed"]);
    expect(resolveSettings({ FIREDRILL_PROFILES: " seed , hardened,seed" }).profiles).toEqual([
      "seed",
      "hardened",
    ]);
  });

  it("refuses an unknown profile with one line saying what is allowed", () => {
    const attempt = () => resolveSettings({ FIREDRILL_PROFILES: "hardened,hardend" });
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(
      'FIREDRILL_PROFILES: unknown profile "hardend"; use a comma list of: seed, hardened',
    );
  });

  it("drives load-haproxy with the built-in generator unless k6 is asked for", () => {
    expect(resolveSettings({}).loadGenerator).toBe("builtin");
    expect(resolveSettings({ FIREDRILL_LOAD_GENERATOR: "k6" }).loadGenerator).toBe("k6");
    expect(() => resolveSettings({ FIREDRILL_LOAD_GENERATOR: "K6 " })).toThrow(
      'FIREDRILL_LOAD_GENERATOR: unknown generator "K6 "; use one of: builtin, k6',
    );
  });
});

describe("progress rendering", () => {
  it("is plain in CI, on request, and whenever stderr is not a terminal", () => {
    const tty = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
    try {
      Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
      expect(resolveSettings({}).plainProgress).toBe(false);
      expect(resolveSettings({ CI: "true" }).plainProgress).toBe(true);
      expect(resolveSettings({ FIREDRILL_PLAIN_PROGRESS: "1" }).plainProgress).toBe(true);
      Object.defineProperty(process.stderr, "isTTY", { value: false, configurable: true });
      expect(resolveSettings({}).plainProgress).toBe(true);
    } finally {
      if (tty) Object.defineProperty(process.stderr, "isTTY", tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
  });
});
