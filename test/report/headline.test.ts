// The headline puts the clients' view next to the calls between services (issue 20 item 3): a
// caller that absorbs its upstream's 503s must not leave the report reading "0% failed", all green.
import { describe, expect, it } from "vitest";
import { headline } from "../../src/report/headline.js";
import { compareSummaries } from "../../src/report/compare.js";
import { renderComparisonMarkdown } from "../../src/report/compare-markdown.js";
import { renderHtml } from "../../src/report/html/report-page.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { buildSummary } from "../../src/report/summary.js";
import { Recorder } from "../../src/telemetry/recorder.js";

const R = "reviews.default.svc.cluster.local";
const P = "productpage.default.svc.cluster.local";

/** users → productpage all 200; productpage → reviews: 70 answered, 30 503 NC (no cluster) absorbed. */
function canary(sourceWorkload: string, from: string) {
  const r = new Recorder({ warmupMs: 0, windowMs: 1_000, endMs: 10_000 });
  const users = r.client("users");
  const first = r.edge(from, "productpage-v1", P, "source", false, "default", "default");
  const ok = r.edge("productpage-v1", "reviews-v1", R, "source", true, "default", "default");
  const nc = r.edge("productpage-v1", "unknown", R, "source", false, "default", "default");
  for (let i = 0; i < 100; i++) {
    const t = 50 + i * 90;
    users.record(t, 5, 200, "-");
    first.record(t, 4, 200, "-");
    if (i % 10 < 3) nc.record(t, 0.1, 503, "NC");
    else ok.record(t, 2, 200, "-");
  }
  return buildSummary(r, { name: "canary", seed: 1, simulatedSeconds: 10, expectations: [], clientSources: { users: sourceWorkload } });
}

describe("headline", () => {
  it("says 0% of user requests failed and 30 of 100 calls between services failed, naming the edge", () => {
    const h = headline(canary("users", "users"));
    expect(h.text).toBe("0% of user requests failed (0 of 100); 30 of 100 calls between services failed (30%)");
    expect(h.worst).toEqual([`productpage-v1 → unknown (${R}): 30 failed (30 × 503; flags NC)`]);
  });

  it("does not count a client's own first hop from its Deployment or the gateway as a call between services", () => {
    for (const from of ["sleep", "istio-ingressgateway"]) {
      const s = canary(from, from);
      expect(s.clients["users"]!.sourceWorkload).toBe(from);
      expect(headline(s).internal.calls).toBe(100);
    }
  });

  it("report.md opens with it and report.html shows it with the failed calls as a figure", () => {
    const s = canary("users", "users");
    const md = renderMarkdown(s);
    expect(md.split("\n")[2]).toBe("**0% of user requests failed (0 of 100); 30 of 100 calls between services failed (30%).**");
    expect(md).toContain(`- productpage-v1 → unknown (${R}): 30 failed (30 × 503; flags NC)`);
    const html = renderHtml(s, null);
    expect(html).toContain('data-figure="headline">0% of user requests failed (0 of 100); 30 of 100 calls between services failed (30%)</p>');
    expect(html).toMatch(/data-figure="internalFailed" data-value="30">30</);
    expect(html).toContain('id="edge-timeseries"');
  });

  it("without calls between services it gives the clients' view alone", () => {
    const r = new Recorder({ warmupMs: 0, windowMs: 1_000, endMs: 1_000 });
    const c = r.client("c");
    for (let i = 0; i < 200_000; i++) c.record(i / 200, 1, i < 15 ? 503 : 200, i < 15 ? "UO" : "-");
    const s = buildSummary(r, { name: "x", seed: 1, simulatedSeconds: 1, expectations: [] });
    // 15 errors in 200,000: summary.json's errorRate rounds to 0, the report never shows "0%".
    expect(s.clients["c"]!.errorRate).toBe(0);
    expect(headline(s).text).toBe("0.0075% of user requests failed (15 of 200,000)");
    expect(renderMarkdown(s)).toContain("| 0.0075% |");
    expect(renderHtml(s, null)).toMatch(/data-figure="errorRate" data-value="0">0\.0075%</);
    // The comparison of two runs too: the rate from the counts, not the rounded stored 0.
    expect(renderComparisonMarkdown(compareSummaries(s, s, { before: "a", after: "b" }))).toContain("0.0075% → 0.0075%");
  });
});
