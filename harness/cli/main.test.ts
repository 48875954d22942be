import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "./main.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  return { out, err };
}

afterEach(() => vi.restoreAllMocks());

describe("CLI argument handling (no engine needed)", () => {
  it("an unknown command is one line on stderr and exit 2", async () => {
    const { err } = capture();
    expect(await main(["launch"])).toBe(2);
    expect(err.join("")).toBe('firedrill: unknown command "launch"; run `firedrill --help` for the list\n');
  });

  it("an unknown option is an error, not ignored", async () => {
    const { err } = capture();
    expect(await main(["up", "--profle", "seed"])).toBe(2);
    expect(err.join("")).toMatch(/^firedrill up: Unknown option '--profle'.*firedrill up --help`\n$/);
  });

  it("a wrong profile is refused before anything starts", async () => {
    const { err } = capture();
    expect(await main(["up", "--profile", "nope"])).toBe(2);
    expect(err.join("")).toBe('firedrill up: unknown profile "nope"; use one of: seed, hardened\n');
  });

  it("--help works for every command", async () => {
    const { out } = capture();
    for (const c of ["up", "status", "down", "images"]) expect(await main([c, "--help"])).toBe(0);
    expect(out.join("")).toContain("usage: firedrill up [--profile seed|hardened] [--json]");
  });
});
