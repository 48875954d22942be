import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { captureOutput } from "../../testing/capture-output.ts";

afterEach(() => vi.restoreAllMocks());
const reports = mkdtempSync(path.join(os.tmpdir(), "firedrill-provider-"));
afterAll(() => rmSync(reports, { recursive: true, force: true }));
// VAGRANT_DEFAULT_PROVIDER=nonesuch: no machine has it, so no VM is ever started from a unit test.
const env = { ...process.env, FIREDRILL_REPORTS_DIR: reports, VAGRANT_DEFAULT_PROVIDER: "nonesuch" };

describe("provider selection", () => {
  it("FIREDRILL_PROVIDER picks the provider; unset means testcontainers; a typo is one line", () => {
    expect(resolveSettings({}).provider).toBe("testcontainers");
    expect(resolveSettings({ FIREDRILL_PROVIDER: "existing", FIREDRILL_INVENTORY: "/l.json" })).toMatchObject(
      {
        provider: "existing",
        inventory: "/l.json",
      },
    );
    expect(() => resolveSettings({ FIREDRILL_PROVIDER: "vagarnt" })).toThrow(
      'FIREDRILL_PROVIDER: unknown provider "vagarnt"; use one of: testcontainers, machines, vagrant, existing',
    );
  });

  it("--provider with an unknown name: one line on stderr, exit 2, nothing started", async () => {
    const { err } = captureOutput();
    expect(await main(["up", "--provider", "docker-compose"], env)).toBe(2);
    expect(err.join("")).toBe(
      'firedrill up: --provider: unknown provider "docker-compose"; use one of: testcontainers, machines, vagrant, existing\n',
    );
  });

  it("up --provider vagrant where no VM can run: one line saying why, exit 2", async () => {
    const { err } = captureOutput();
    expect(await main(["up", "--provider", "vagrant", "--quiet"], env)).toBe(2);
    expect(err.join("")).toBe(
      "firedrill up: provider vagrant cannot run here: VAGRANT_DEFAULT_PROVIDER=nonesuch: the lab runs on virtualbox or libvirt\n",
    );
  });

  it("run --provider vagrant where no VM can run: the drill is reported skipped with the reason, exit 1", async () => {
    const { out } = captureOutput();
    expect(
      await main(["run", "crash-node1", "--profile", "hardened", "--provider", "vagrant", "--quiet"], env),
    ).toBe(1);
    expect(out.join("")).toContain(
      "skipped (provider vagrant cannot run here: VAGRANT_DEFAULT_PROVIDER=nonesuch: the lab runs on virtualbox or libvirt)",
    );
  });

  it("the existing provider without a lab file is skipped with the reason, not passed", async () => {
    const { out } = captureOutput();
    const noInventory = { ...env, FIREDRILL_INVENTORY: "" };
    expect(
      await main(
        ["run", "crash-node1", "--profile", "hardened", "--provider", "existing", "--quiet"],
        noInventory,
      ),
    ).toBe(1);
    expect(out.join("")).toContain(
      "skipped (provider existing cannot run here: FIREDRILL_INVENTORY names no lab file",
    );
  });
});
