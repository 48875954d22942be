import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contextHash, listInputFiles } from "./image-inputs.ts";

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fd-ctx-"));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe("image context hash", () => {
  it("is stable, covers the app sources and the base image's id, and ignores bytecode", () => {
    const dir = tree({
      "images/app/Dockerfile": "FROM x",
      "app/manage.py": "print(1)",
      "app/__pycache__/m.pyc": "junk",
      "images/haproxy/Dockerfile": "FROM y",
    });
    expect(listInputFiles(dir, "app")).toEqual(["app/manage.py", "images/app/Dockerfile"]);
    expect(listInputFiles(dir, "haproxy")).toEqual(["images/haproxy/Dockerfile"]);
    const base = `sha256:${"1".repeat(64)}`;
    const a = contextHash(dir, listInputFiles(dir, "app"), base);
    expect(contextHash(dir, listInputFiles(dir, "app"), base)).toBe(a);
    // Another base (a new pin, FIREDRILL_BASE_IMAGE, debootstrap again): every image is built again.
    expect(contextHash(dir, listInputFiles(dir, "app"), `sha256:${"2".repeat(64)}`)).not.toBe(a);
    writeFileSync(path.join(dir, "app/manage.py"), "print(2)");
    expect(contextHash(dir, listInputFiles(dir, "app"), base)).not.toBe(a);
  });
});
