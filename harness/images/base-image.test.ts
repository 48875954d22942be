import { describe, expect, it } from "vitest";
import {
  baseImageSource,
  DEBOOTSTRAP_TAG,
  PINNED_BASE_IMAGE,
  pulledBaseTag,
  pullReference,
} from "./base-image.ts";

const digest = "b1a741487078b369e78119849663d7f1a5341ef2768798f7b7406c4240f86aef";

describe("the base image", () => {
  it("is pinned by digest, in this one place", () => {
    expect(PINNED_BASE_IMAGE).toMatch(/^debian:[\w.-]+@sha256:[0-9a-f]{64}$/);
    expect(baseImageSource({})).toEqual({ image: PINNED_BASE_IMAGE, explicit: false });
    expect(baseImageSource({ FIREDRILL_BASE_IMAGE: " " })).toEqual({
      image: PINNED_BASE_IMAGE,
      explicit: false,
    });
  });

  it("FIREDRILL_BASE_IMAGE overrides it, and must be an image reference", () => {
    expect(baseImageSource({ FIREDRILL_BASE_IMAGE: `debian:12.12-slim@sha256:${digest}` })).toEqual({
      image: `debian:12.12-slim@sha256:${digest}`,
      explicit: true,
    });
    expect(baseImageSource({ FIREDRILL_BASE_IMAGE: "registry.local:5000/debian:12" }).image).toBe(
      "registry.local:5000/debian:12",
    );
    expect(() => baseImageSource({ FIREDRILL_BASE_IMAGE: "debian slim; rm -rf" })).toThrow(
      /FIREDRILL_BASE_IMAGE: "debian slim; rm -rf" is not an image reference/,
    );
    expect(() => baseImageSource({ FIREDRILL_BASE_IMAGE: "debian@sha256:short" })).toThrow(
      /not an image reference/,
    );
  });

  it("is pulled by digest and kept under a tag of its own reference, apart from the debootstrap base", () => {
    expect(pullReference(`debian:bookworm-20250811-slim@sha256:${digest}`)).toBe(`debian@sha256:${digest}`);
    expect(pullReference(`registry.local:5000/debian:12@sha256:${digest}`)).toBe(
      `registry.local:5000/debian@sha256:${digest}`,
    );
    expect(pullReference("debian:12")).toBe("debian:12");
    const pinned = pulledBaseTag(PINNED_BASE_IMAGE);
    expect(pinned).toMatch(/^firedrill\/base:debian-bookworm-20250811-slim-b1a741487078-[0-9a-f]{8}$/);
    expect(pulledBaseTag(`debian:12.12-slim@sha256:${digest}`)).not.toBe(pinned);
    expect(pinned).not.toBe(DEBOOTSTRAP_TAG);
    // A valid Docker tag: at most 128 characters of [A-Za-z0-9_.-], one colon.
    const long = pulledBaseTag(`${"r".repeat(300)}/debian:12`);
    expect(long.split(":")).toHaveLength(2);
    expect(long.split(":")[1]).toMatch(/^[A-Za-z0-9_.-]{1,128}$/);
  });
});
