import { describe, expect, it } from "vitest";
import { refusalReason } from "./engine-bootstrap.ts";

const addr = "unix:///var/run/docker.sock";

describe("refusalReason", () => {
  it("lets root on Debian start an engine", () => {
    expect(refusalReason({ isRoot: true, isDebianLike: true, dockerHostSet: false }, addr)).toBeUndefined();
  });

  it.each([
    [{ isRoot: false, isDebianLike: true, dockerHostSet: false }, "only installs one when run as root"],
    [{ isRoot: true, isDebianLike: false, dockerHostSet: false }, "only on Debian/Ubuntu"],
    [{ isRoot: true, isDebianLike: true, dockerHostSet: true }, "point DOCKER_HOST"],
  ])("refuses otherwise with one line that says what to do (%o)", (host, fragment) => {
    const reason = refusalReason(host, addr);
    expect(reason).toContain(fragment);
    expect(reason).toContain("start Docker");
    expect(reason).not.toContain("\n");
  });
});
