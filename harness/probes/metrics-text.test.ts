import { describe, expect, it } from "vitest";
import { sumSamples } from "./metrics-text.ts";

describe("sumSamples", () => {
  it("adds the samples whose labels match, and only those", () => {
    const text = [
      "# TYPE django_http_requests_total_by_method_total counter",
      'django_http_requests_total_by_method_total{method="POST"} 7.0',
      'django_http_requests_total_by_method_total{method="GET"} 3.0',
      'django_http_requests_total_by_method_total_created{method="POST"} 1.7e9',
      "process_cpu_seconds_total 2",
    ].join("\n");
    expect(sumSamples(text, "django_http_requests_total_by_method_total", { method: "POST" })).toBe(7);
    expect(sumSamples(text, "django_http_requests_total_by_method_total")).toBe(10);
    expect(sumSamples(text, "process_cpu_seconds_total")).toBe(2);
  });
});
