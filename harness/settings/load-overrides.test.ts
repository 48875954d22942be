import { describe, expect, it } from "vitest";
import { parseLoadOverrides } from "./load-overrides.ts";

describe("parseLoadOverrides", () => {
  it("accepts sane values and leaves out what was not given", () => {
    expect(parseLoadOverrides({ rate: "50", duration: "20" })).toEqual({ rate: 50, faultSeconds: 20 });
    expect(parseLoadOverrides({})).toEqual({});
  });

  it.each([
    [{ rate: "-5" }, '--rate must be a positive number of operations per second, not "-5"'],
    [{ rate: "fast" }, '--rate must be a positive number of operations per second, not "fast"'],
    [{ rate: "5000" }, "--rate 5000 is over the cap of 2000 operations per second"],
    [{ duration: "0" }, '--duration must be a positive number of seconds, not "0"'],
    [
      { duration: "301" },
      "--duration 301 s is over the cap of 300 s (FIREDRILL_MAX_FAULT_SECONDS raises it)",
    ],
  ])("refuses %o with one line", (values, message) => {
    expect(() => parseLoadOverrides(values, {})).toThrow(message);
  });

  it("honours a raised cap", () => {
    expect(parseLoadOverrides({ duration: "600" }, { FIREDRILL_MAX_FAULT_SECONDS: "900" })).toEqual({
      faultSeconds: 600,
    });
  });
});
