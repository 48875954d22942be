import { figureCell, keyFigureColumns, modelsCell } from "../key-figures.ts";
import type { DrillResult } from "../../store/drill-result.ts";
import { anchor, html, type SafeHtml } from "./html.ts";
import { dataTable } from "./data-table.ts";

/**
 * Drill × profile → verdict (with the reason when skipped or interrupted), the key figures and the
 * strongest consistency models (the whole sentence as its tooltip); each row links to its drill.
 */
export function verdictTable(results: readonly DrillResult[]): SafeHtml {
  const drills = [...new Set(results.map((r) => r.drill))];
  const rows = drills.flatMap((drill) => {
    const mine = results.filter((r) => r.drill === drill);
    return mine.map(
      (r, i) =>
        html`<tr class="verdict-${r.verdict}" data-drill="${r.drill}" data-profile="${r.profile}">
          ${i === 0 ? html`<th scope="rowgroup" rowspan="${mine.length}">${drill}</th>` : ""}
          <td>${r.profile}</td>
          <td class="verdict">
            <a href="#${anchor(r.drill, r.profile)}"><span class="badge ${r.verdict}">${r.verdict}</span></a
            >${
              r.verdict === "skipped" || r.verdict === "interrupted"
                ? html` <span class="reason">${r.reason ?? "no reason given"}</span>`
                : ""
            }${
              r.verdict === "fail" && r.findings[0]
                ? html` <span class="reason"
                    >${r.findings[0]}${r.findings.length > 1 ? ` (+${r.findings.length - 1} more)` : ""}</span
                  >`
                : ""
            }
          </td>
          ${keyFigureColumns.map((c) => html`<td class="num">${figureCell(r, c.key)}</td>`)}
          <td class="models" ${r.consistency ? html`title="${r.consistency.models}"` : ""}>
            ${modelsCell(r)}
          </td>
        </tr>`,
    );
  });
  return dataTable(
    "verdicts",
    [
      "drill",
      "profile",
      "verdict",
      ...keyFigureColumns.map((c) => ({ num: c.label, unit: c.unit })),
      "models",
    ],
    rows,
    "verdicts",
  );
}
