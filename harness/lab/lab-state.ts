import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LabEndpoints } from "./lab.ts";

/**
 * Labs that `up` leaves running are recorded here (credentials included, so mode 0600). The reaper
 * spares a run that has a record: its creator exited on purpose.
 */
export class LabStateStore {
  constructor(private readonly dir: string) {}

  private file(runId: string): string {
    return path.join(this.dir, "labs", `${runId}.json`);
  }

  save(endpoints: LabEndpoints): void {
    mkdirSync(path.join(this.dir, "labs"), { recursive: true, mode: 0o700 });
    writeFileSync(this.file(endpoints.runId), JSON.stringify(endpoints, null, 2), { mode: 0o600 });
  }

  has(runId: string): boolean {
    return this.list().some((e) => e.runId === runId);
  }

  list(): LabEndpoints[] {
    let names: string[];
    try {
      names = readdirSync(path.join(this.dir, "labs"));
    } catch {
      // No folder yet means no recorded labs.
      return [];
    }
    return names
      .filter((n) => n.endsWith(".json"))
      .map((n) => JSON.parse(readFileSync(path.join(this.dir, "labs", n), "utf8")) as LabEndpoints);
  }

  remove(runId: string): void {
    rmSync(this.file(runId), { force: true });
  }
}
