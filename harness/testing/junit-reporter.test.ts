import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../settings/settings.ts";
import { run } from "../util/run.ts";
import { addSkipReasons, xmlAttr } from "./junit-reporter.ts";

const repoRoot = resolveSettings().repoRoot;

describe("JUnit with each skip's reason", () => {
  it("rewrites <skipped/> of the tests with a reason, by file and name, in order for equal names", () => {
    const xml = [
      '<testsuite name="a.test.ts" tests="3">',
      '    <testcase classname="a.test.ts" name="x &gt; y" time="0">',
      "        <skipped/>",
      "    </testcase>",
      '    <testcase classname="a.test.ts" name="x &gt; y" time="0">',
      "        <skipped/>",
      "    </testcase>",
      '    <testcase classname="a.test.ts" name="no reason" time="0">',
      "        <skipped/>",
      "    </testcase>",
      "</testsuite>",
      '<testsuite name="b.test.ts" tests="1">',
      '    <testcase classname="b.test.ts" name="x &gt; y" time="0">',
      "        <skipped/>",
      "    </testcase>",
      "</testsuite>",
    ].join("\n");
    const reasons = new Map([
      ["a.test.ts\0x > y", ["first", 'second "quoted" <b> & more\nline']],
      ["a.test.ts\0no reason", [""]],
    ]);
    const out = addSkipReasons(xml, reasons).split("\n");
    expect(out[2]).toBe('        <skipped message="first"/>');
    expect(out[5]).toBe(
      '        <skipped message="second &quot;quoted&quot; &lt;b&gt; &amp; more&#10;line"/>',
    );
    expect(out[8]).toBe("        <skipped/>");
    // Same test name in another file: not this file's reason.
    expect(out[13]).toBe("        <skipped/>");
    expect(xmlAttr("a\tb\r")).toBe("a&#9;b&#13;");
  });

  it("vitest's own run writes each ctx.skip reason as <skipped message> (fixtures/junit)", async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "fd-junit-")), "junit.xml");
    const r = await run(
      [
        process.execPath,
        path.join(repoRoot, "node_modules", "vitest", "vitest.mjs"),
        "run",
        "--config",
        "harness/testing/fixtures/junit/vitest.config.ts",
      ],
      { cwd: repoRoot, env: { FIXTURE_JUNIT_FILE: file, NO_COLOR: "1" }, timeoutMs: 60_000 },
    );
    expect(r.exitCode, r.output).toBe(0);
    const skipped = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("<skipped"))
      .map((l) => l.trim());
    expect(skipped).toEqual([
      '<skipped message="chromium not found at /usr/bin/chromium: apt-get install chromium &amp; &quot;retry&quot; &lt;now&gt;&#10;second line"/>',
      "<skipped/>",
      '<skipped message="first of two"/>',
      '<skipped message="second of two"/>',
    ]);
  }, 90_000);
});
