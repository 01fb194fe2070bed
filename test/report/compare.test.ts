import { describe, expect, it } from "vitest";
import { compareSummaries, delta } from "../../src/report/compare.js";
import { renderComparisonMarkdown } from "../../src/report/compare-markdown.js";
import { renderComparisonHtml } from "../../src/report/html/comparison-page.js";
import { buildSummary } from "../../src/report/summary.js";
import type { ClientSummary, EdgeSummary, Summary } from "../../src/report/summary-types.js";
import { fixtureRecorder } from "./fixture.js";

const base = buildSummary(fixtureRecorder(), { name: "fixture", seed: 1, simulatedSeconds: 40, expectations: [] });

function lat(p50: number, p99: number, mean: number) {
  return { mean, p50, p90: p99, p99, p999: p99, max: p99 };
}
function client(requests: number, errorRate: number, p50: number, p99: number, mean: number): ClientSummary {
  return { requests, codes: { "200": requests }, flags: { "-": requests }, latencyMs: lat(p50, p99, mean), errorRate, rps: requests / 30, meanInflight: 1 };
}
function edge(source: string, destination: string, service: string, requests: number, errorRate: number, p99: number): EdgeSummary {
  return { source, destination, service, requests, codes: { "200": requests }, flags: { "-": requests }, latencyMs: lat(p99 / 2, p99, p99 / 3), mtls: true, reporter: "source", errorRate };
}
function summary(clients: Record<string, ClientSummary>, edges: EdgeSummary[], name = "s"): Summary {
  return { ...base, scenario: name, clients, edges };
}

describe("comparing two runs", () => {
  const before = summary(
    { users: client(1000, 0.1, 10, 100, 20), gone: client(5, 0, 1, 2, 1) },
    [edge("a", "b", "b.svc", 1000, 0.1, 50), edge("a", "b", "b-admin.svc", 10, 0, 5), edge("a", "old", "old.svc", 7, 0, 3)],
    "before",
  );
  const after = summary(
    { users: client(1200, 0.3, 12, 80, 20), fresh: client(9, 0, 1, 2, 1) },
    [edge("a", "b", "b.svc", 1200, 0.3, 40), edge("a", "b", "b-admin.svc", 10, 0, 5), edge("a", "unknown", "b.svc", 4, 1, 1)],
    "after",
  );
  const c = compareSummaries(before, after, { before: "runs/before", after: "runs/after" });

  it("gives after − before for every figure, and the change relative to before", () => {
    const users = c.clients.find((r) => r.label === "users")!;
    expect(users.presence).toBe("both");
    expect(users.delta!.requests).toEqual({ abs: 200, rel: 0.2 });
    expect(users.delta!.errorRate).toEqual({ abs: 0.2, rel: 2 });
    expect(users.delta!.p50).toEqual({ abs: 2, rel: 0.2 });
    expect(users.delta!.p99).toEqual({ abs: -20, rel: -0.2 });
    expect(users.delta!.mean).toEqual({ abs: 0, rel: 0 });
    expect(delta(0, 5)).toEqual({ abs: 5, rel: null });
  });

  it("matches edges by source, destination and service, not by workloads alone", () => {
    const e = c.edges.find((r) => r.service === "b.svc" && r.destination === "b")!;
    expect(e.presence).toBe("both");
    expect(e.delta!.p99.abs).toBe(-10);
    const admin = c.edges.find((r) => r.service === "b-admin.svc")!;
    expect(admin.delta!.p99).toEqual({ abs: 0, rel: 0 });
    expect(c.edges.map((r) => [r.destination, r.service, r.presence])).toEqual([
      ["b", "b-admin.svc", "both"], ["b", "b.svc", "both"], ["old", "old.svc", "before only"], ["unknown", "b.svc", "after only"],
    ]);
  });

  it("keeps rows present in only one run, marked, without a difference", () => {
    const gone = c.clients.find((r) => r.label === "gone")!;
    const fresh = c.clients.find((r) => r.label === "fresh")!;
    expect([gone.presence, gone.after, gone.delta]).toEqual(["before only", null, null]);
    expect([fresh.presence, fresh.before, fresh.delta]).toEqual(["after only", null, null]);
    expect(gone.before!.requests).toBe(5);
  });

  it("writes Markdown with before → after cells and the one-run rows marked", () => {
    const md = renderComparisonMarkdown(c);
    expect(md).toContain("# meshsim comparison: after vs before");
    expect(md).toMatch(/\| users \| both \| 1000 → 1200 \(\+200, \+20%\) \| 10% → 30% \(\+20 pp\) \| 20 → 20 \(±0, ±0%\) \| 10 → 12 \(\+2, \+20%\) \| 100 → 80 \(−20, −20%\) \|/);
    expect(md).toContain("| gone | **before only** | 5 |");
    expect(md).toContain("| a → unknown (b.svc) | **after only** |");
    expect(md).toContain("4 row(s) exist in one run only");
  });

  it("embeds the comparison in a self-contained comparison.html", () => {
    const html = renderComparisonHtml(c);
    const m = /<script type="application\/json" id="comparison">([\s\S]*?)<\/script>/.exec(html)!;
    expect(JSON.parse(m[1]!)).toEqual(JSON.parse(JSON.stringify(c)));
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain("d3");
    expect(html).toContain('data-row="gone"');
  });
});
