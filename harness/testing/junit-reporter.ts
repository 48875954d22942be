/**
 * vitest's JUnit reporter, plus each skipped test's reason. vitest writes `<skipped/>` and has no
 * option for the reason a test gave `ctx.skip(reason)` (it keeps it as the test's `result.note`), so a
 * CI test view showed "skipped" with no why. This reporter lets vitest write its file, then rewrites
 * each `<skipped/>` of a test with a reason as `<skipped message="…"/>`, matched by the test file (the
 * `<testsuite name>`) and the test's full name (the `<testcase name>`), in order for equal names.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RunnerTask as Task, RunnerTestFile as File } from "vitest";
import type { Reporter, Vitest } from "vitest/node";
import { JUnitReporter } from "vitest/reporters";

type JUnitOptions = ConstructorParameters<typeof JUnitReporter>[0];

/** XML attribute text, as vitest's own reporter escapes it (newlines kept as character references). */
export function xmlAttr(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r/g, "&#13;")
    .replace(/\n/g, "&#10;")
    .replace(/\t/g, "&#9;");
}

const unescapeAttr = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

const key = (suite: string, test: string) => `${suite}\0${test}`;

/**
 * The reason of every skipped test that gave one, by test file (relative to `root`) and full name
 * ("describe > test", as vitest's JUnit reporter names it), in the reporter's order.
 */
export function skipReasons(files: readonly File[], root: string): Map<string, string[]> {
  const reasons = new Map<string, string[]>();
  const walk = (suite: string, task: Task, prefix: string) => {
    const name = prefix ? `${prefix} > ${task.name}` : task.name;
    if (task.type === "suite") {
      for (const child of task.tasks) walk(suite, child, name);
      return;
    }
    if (task.mode !== "skip" && task.mode !== "todo") return;
    const k = key(suite, name);
    if (!reasons.has(k)) reasons.set(k, []);
    // Tests without a reason keep their place, so equal names still match in order.
    // `ctx.skip(reason)` keeps the reason as the result's `note` (set at run time; not in the type).
    reasons.get(k)!.push((task.result as { note?: string } | undefined)?.note ?? "");
  };
  for (const file of files) {
    const suite = path.relative(root, file.filepath);
    for (const task of file.tasks) walk(suite, task, "");
  }
  return reasons;
}

/** `xml` with each `<skipped/>` of a test that has a reason in `reasons` carrying it as `message`. */
export function addSkipReasons(xml: string, reasons: ReadonlyMap<string, readonly string[]>): string {
  const taken = new Map<string, number>();
  let suite = "";
  let test = "";
  return xml
    .split("\n")
    .map((line) => {
      const s = /^\s*<testsuite name="([^"]*)"/.exec(line);
      if (s) suite = unescapeAttr(s[1]!);
      const t = /^\s*<testcase [^>]*?\sname="([^"]*)"/.exec(line);
      if (t) test = unescapeAttr(t[1]!);
      if (line.trim() !== "<skipped/>") return line;
      const k = key(suite, test);
      const i = taken.get(k) ?? 0;
      taken.set(k, i + 1);
      const reason = reasons.get(k)?.[i];
      return reason ? line.replace("<skipped/>", `<skipped message="${xmlAttr(reason)}"/>`) : line;
    })
    .join("\n");
}

export default class JUnitWithSkipReasons implements Reporter {
  private readonly junit: JUnitReporter;
  private vitest?: Vitest;

  constructor(private readonly options: JUnitOptions & { outputFile: string }) {
    this.junit = new JUnitReporter(options);
  }

  // Vitest types onInit as void but awaits every reporter's hook (Promise.all in its `report`), and
  // JUnit's opens its output file there: the promise is handed back, not dropped.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  onInit(vitest: Vitest): Promise<void> {
    this.vitest = vitest;
    return this.junit.onInit(vitest);
  }

  async onFinished(files: File[] = this.vitest?.state.getFiles() ?? []): Promise<void> {
    await this.junit.onFinished(files);
    const root = this.vitest?.config.root ?? process.cwd();
    const file = path.resolve(root, this.options.outputFile);
    writeFileSync(file, addSkipReasons(readFileSync(file, "utf8"), skipReasons(files, root)));
  }
}
