import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { ImageName } from "../topology/topology.ts";

/**
 * Every image built from cluster/images: the lab's, and the machine image the `machines` provider
 * runs its servers in (kept out of `labImages`, so the other providers never build it).
 */
export type BuildableImage = ImageName | "machine";

/** Paths under `cluster/` that go into an image's build context (and so into its tag). */
export function imageInputDirs(name: BuildableImage): string[] {
  if (name === "app") return ["images/app", "app"];
  if (name === "receiver") return ["images/receiver", "receiver"];
  return [`images/${name}`];
}

const ignored = /(^|\/)(__pycache__|\.pytest_cache|node_modules)(\/|$)|\.pyc$|~$/;

/** Files of the build context, relative to `clusterDir`, sorted so the hash is stable. */
export function listInputFiles(clusterDir: string, name: BuildableImage): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(clusterDir, rel);
    const st = statSync(abs);
    if (st.isDirectory()) {
      for (const entry of readdirSync(abs)) walk(path.posix.join(rel, entry));
    } else if (st.isFile() && !ignored.test(rel)) {
      files.push(rel);
    }
  };
  for (const dir of imageInputDirs(name)) walk(dir);
  return files.sort();
}

/**
 * Tag = hash of the base image's id plus every input file's path, exec bit and bytes: a second run with
 * nothing changed finds the image and builds nothing, and another base (a new pin, FIREDRILL_BASE_IMAGE,
 * a base made again by debootstrap) builds every image again.
 */
export function contextHash(clusterDir: string, files: readonly string[], baseId: string): string {
  const h = createHash("sha256").update(`base=${baseId}\n`);
  for (const rel of files) {
    const abs = path.join(clusterDir, rel);
    const exec = statSync(abs).mode & 0o111 ? "x" : "-";
    h.update(`${rel}\0${exec}\0`).update(readFileSync(abs)).update("\0");
  }
  return h.digest("hex").slice(0, 16);
}
