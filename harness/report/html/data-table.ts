import { html, type SafeHtml } from "./html.ts";

/**
 * A column's heading; `{ num }` for a column of numbers, which the page's CSS aligns right, with its
 * unit, when it has one, under the heading.
 */
export type Column = string | { num: string; unit?: string };

/**
 * One of the report's tables: a head row of column headings, then the body rows as the caller
 * renders them (each row keeps its own classes and data attributes, which the page and its tests read).
 */
export function dataTable(
  cls: string,
  columns: readonly Column[],
  rows: readonly SafeHtml[],
  id?: string,
): SafeHtml {
  return html`<table ${id ? html`id="${id}" ` : ""}class="${cls}">
    <thead>
      <tr>
        ${columns.map((c) =>
          typeof c === "string"
            ? html`<th scope="col">${c}</th>`
            : html`<th scope="col" class="num">
                ${c.num}${c.unit ? html`<br /><small>${c.unit}</small>` : ""}
              </th>`,
        )}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}
