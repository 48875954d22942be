import { describe, expect, it } from "vitest";
import { renderTemplate } from "./render-template.ts";

describe("renderTemplate", () => {
  it("fills every placeholder, spaces allowed", () => {
    expect(renderTemplate("id={{serverId}} off={{ offset }}", { serverId: 1, offset: "2" }, "t")).toBe(
      "id=1 off=2",
    );
  });

  it("refuses a placeholder without a value and names it", () => {
    expect(() => renderTemplate("a={{known}} b={{missing}}", { known: 1 }, "x.cnf")).toThrow(
      "x.cnf: no value for placeholder(s) {{missing}}",
    );
  });

  it("leaves other braces alone (HAProxy and Prometheus use them)", () => {
    expect(renderTemplate('acl x path { /metrics } "${HAPROXY_STATS_USER}"', {}, "t")).toBe(
      'acl x path { /metrics } "${HAPROXY_STATS_USER}"',
    );
  });
});
