import { FIDELITY_FILE } from "../../config/seed-fidelity.ts";
import type { RunArtifacts } from "../../store/run-folder.ts";
import { html, type SafeHtml } from "./html.ts";

/** Profiles, images (with their ids), versions, seed, machine, and everything skipped with its reason. */
export function environmentSection(run: RunArtifacts): SafeHtml {
  const envs = run.drills.flatMap((d) => (d.environment ? [{ d, e: d.environment }] : []));
  const first = envs[0]?.e;
  const images = new Map<string, { image: string; imageId: string | null; digests: string[] }>();
  for (const { e } of envs)
    for (const i of e.images)
      images.set(`${i.image}`, { image: i.image, imageId: i.imageId, digests: i.repoDigests });
  const skipped = [
    ...run.drills
      .filter((d) => d.result.verdict === "skipped")
      .map((d) => ({
        what: `${d.result.drill} (${d.result.profile})`,
        why: d.result.reason ?? "no reason given",
      })),
    // One line per drill and source (Grafana's whole set shares one reason), not one per alert.
    ...run.drills.flatMap((d) => {
      const bySource = new Map<string, { why: string; n: number }>();
      for (const a of d.result.alerts ?? []) {
        if (!a.skipped) continue;
        const s = bySource.get(a.source) ?? { why: a.skipped, n: 0 };
        s.n++;
        bySource.set(a.source, s);
      }
      return [...bySource].map(([source, s]) => ({
        what: `${d.result.drill} (${d.result.profile}): ${s.n} ${source} alert assertion(s)`,
        why: s.why,
      }));
    }),
  ];
  const profiles = [...new Set(run.drills.map((d) => d.result.profile))];
  // The seed stands in for the original stack: say where it does not, as recorded by the run.
  const fidelity = profiles.includes("seed")
    ? (envs.find(({ e }) => e.profile === "seed" && e.fidelity)?.e.fidelity ??
      `${FIDELITY_FILE} (the seed profile beside the original stack; this run recorded no counts)`)
    : undefined;
  return html`<section id="environment">
    <h2>Environment</h2>
    <dl class="env">
      <dt>profiles</dt>
      <dd>${profiles.join(", ")}</dd>
      ${
        fidelity
          ? html`<dt>seed fidelity</dt>
              <dd>${fidelity}</dd>`
          : ""
      }
      ${
        first
          ? html`<dt>firedrill</dt>
              <dd>
                ${first.versions.firedrill}${first.versions.gitCommit ? ` at ${first.versions.gitCommit}` : ""}
              </dd>
              <dt>Node.js</dt>
              <dd>${first.versions.node}</dd>
              <dt>Docker engine</dt>
              <dd>${first.versions.dockerEngine ?? "unknown"}</dd>
              <dt>seed</dt>
              <dd>${first.seed}</dd>
              <dt>machine</dt>
              <dd>
                ${first.machine.platform} ${first.machine.release} ${first.machine.arch},
                ${first.machine.cpus} × ${first.machine.cpuModel}, ${first.machine.memoryGiB} GiB
              </dd>
              <dt>Grafana</dt>
              <dd>${first.grafana}</dd>`
          : html`<dt>details</dt>
              <dd>
                no environment.json in this run (saved by runs of the drill runner since the report exists)
              </dd>`
      }
    </dl>
    ${
      images.size
        ? html`<h3>Images</h3>
            <table class="images">
              <thead>
                <tr>
                  <th>image</th>
                  <th>id (content digest)</th>
                  <th>registry digests</th>
                </tr>
              </thead>
              <tbody>
                ${[...images.values()].map(
                  (i) =>
                    html`<tr>
                      <td>${i.image}</td>
                      <td><code>${i.imageId ?? "unknown"}</code></td>
                      <td>${i.digests.length ? i.digests.join(", ") : "none (built locally)"}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
        : ""
    }${
      envs.some(({ e }) => e.unknown.length)
        ? html`<p class="note">Not found out: ${envs.flatMap(({ e }) => e.unknown).join("; ")}</p>`
        : ""
    }
    <h3>Skipped, and why</h3>
    ${
      skipped.length
        ? html`<ul class="skipped">
            ${skipped.map((s) => html`<li><strong>${s.what}</strong>: ${s.why}</li>`)}
          </ul>`
        : html`<p>Nothing was skipped.</p>`
    }
  </section>`;
}
