import { describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/html/report-page.js";
import { totals } from "../../src/report/html/page-sections.js";
import { buildHistograms } from "../../src/report/latency-bins.js";
import { buildSummary } from "../../src/report/summary.js";
import type { Summary } from "../../src/report/summary-types.js";
import { fixtureRecorder } from "./fixture.js";

const rec = fixtureRecorder();
const summary = buildSummary(rec, {
  name: "fixture", seed: 7, simulatedSeconds: 40,
  expectations: [{ text: "users p99 < 300ms", ok: true, actual: 14.1 }, { text: "jason errorRate < 1%", ok: false, actual: 0.333333 }],
});
const hist = buildHistograms(rec, { meshsim: summary.meshsim, scenario: "fixture", seed: 7 });
const html = renderHtml(summary, hist);

function embedded(page: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(page);
  if (m === null) throw new Error(`no #${id}`);
  return JSON.parse(m[1]!);
}

/** The visible figures of the header: data-figure → [data-value, text]. */
function figures(page: string): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  for (const m of page.matchAll(/data-figure="([^"]+)"(?: data-client="([^"]+)")? data-value="([^"]*)">([^<]*)</g)) {
    out.set(m[2] === undefined ? m[1]! : `${m[1]}:${m[2]}`, [m[3]!, m[4]!]);
  }
  for (const m of page.matchAll(/<(?:h1|b) data-figure="([^"]+)">([^<]*)</g)) out.set(m[1]!, [m[2]!, m[2]!]);
  return out;
}

describe("report.html", () => {
  it("embeds summary.json and the histograms unchanged", () => {
    expect(embedded(html, "summary")).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(embedded(html, "histograms")).toEqual(JSON.parse(JSON.stringify(hist)));
  });

  it("shows the header figures equal to summary.json", () => {
    const f = figures(html);
    const t = totals(summary);
    expect(t.requests).toBe(summary.clients["users"]!.requests + summary.clients["jason"]!.requests);
    expect(f.get("scenario")![1]).toBe("fixture");
    expect(f.get("seed")![1]).toBe("7");
    expect(f.get("simulatedSeconds")![1]).toBe(String(summary.simulatedSeconds));
    expect(f.get("measuredSeconds")![1]).toBe(String(summary.measuredSeconds));
    expect(Number(f.get("requests")![0])).toBe(t.requests);
    expect(Number(f.get("requests")![1].replace(/,/g, ""))).toBe(t.requests);
    // 4 errors for users (503 UO) and 1 for jason (code 0) over 103 requests.
    expect(t.errors).toBe(5);
    expect(Number(f.get("errorRate")![0])).toBe(Math.round((5 / 103) * 1000) / 1000);
    expect(f.get("errorRate")![1]).toBe("4.9%");
    expect(Number(f.get("errors")![0])).toBe(5);
    for (const [name, c] of Object.entries(summary.clients)) {
      expect(Number(f.get(`p50:${name}`)![0])).toBe(c.latencyMs.p50);
      expect(f.get(`p50:${name}`)![1]).toBe(`${c.latencyMs.p50.toLocaleString("en-US", { maximumFractionDigits: 3 })} ms`);
      expect(Number(f.get(`p99:${name}`)![0])).toBe(c.latencyMs.p99);
      expect(f.get(`p99:${name}`)![1]).toBe(`${c.latencyMs.p99.toLocaleString("en-US", { maximumFractionDigits: 3 })} ms`);
    }
    expect(f.get("expectations")![1]).toBe("1 / 2 passed");
    expect(Number(f.get("xdsPushes")![0])).toBe(summary.mesh.xdsPushes);
    expect(Number(f.get("proxyCpuSeconds")![0])).toBe(summary.mesh.proxyCpuSeconds);
    expect(Number(f.get("convergenceMax")![0])).toBe(summary.mesh.convergenceMs.max);
  });

  it("lists each client's and edge's codes and flags with their counts, and explains each flag seen", () => {
    const codes = /<table class="grid codes">[\s\S]*?<\/table>/.exec(html)![0];
    expect(codes).toContain("<span class=\"kind\">client</span> users</th><td class=\"num\">100</td><td class=\"num \"></td><td class=\"num \">96</td>");
    for (const f of ["UO", "UF", "URX", "DC", "DI", "NR"]) expect(html).toMatch(new RegExp(`<span class="flag">${f}</span> <b>`));
    expect(html).toContain("UpstreamOverflow</b> — a circuit breaker overflowed");
    expect(html).toContain('data-pod="reviews-v2-0"');
  });

  it("needs no network: no external scripts, styles or fonts, d3 inlined", () => {
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(http/);
    expect(html).toContain("https://d3js.org v7");
    expect(html.length).toBeLessThan(500_000);
  });

  it("cannot be broken out of by a name holding </script>", () => {
    const evil: Summary = { ...summary, scenario: "x</script><script>alert(1)</script>" };
    const page = renderHtml(evil, null);
    expect((embedded(page, "summary") as Summary).scenario).toBe(evil.scenario);
    expect(page).not.toContain("<script>alert(1)");
  });

  it("says so when it has no histograms, and is the same bytes for the same input", () => {
    const page = renderHtml(summary, null);
    expect(page).toContain('id="no-histograms"');
    expect(embedded(page, "histograms")).toBeNull();
    expect(renderHtml(summary, hist)).toBe(html);
  });

  it("has a Control plane section: its figures from summary.json, one row per push, and a note when there were none", () => {
    const f = figures(html);
    expect(f.get("staleProxiesMax")).toEqual([String(summary.mesh.staleProxiesMax), String(summary.mesh.staleProxiesMax)]);
    expect(f.get("certificatesIssued")?.[0]).toBe(String(summary.mesh.certificatesIssued));
    expect(html.includes('<div id="stale-proxies-chart" class="chart">')).toBe(true);
    expect(html.includes("No pushes: nothing changed")).toBe(true);
    const withChanges: Summary = {
      ...summary,
      mesh: {
        ...summary.mesh,
        xdsRejects: { cds: 0, eds: 0, lds: 0, rds: 3 },
        changes: [
          { t: 30, kind: "config", what: "VirtualService/<b>", convergenceMs: 107.253, proxiesPushed: 6, rejected: 3 },
          { t: 31.5, kind: "endpoints", what: "reviews-v3-0 ready", convergenceMs: null, proxiesPushed: 6, rejected: 0 },
        ],
        changesDropped: 4,
      },
    };
    const page = renderHtml(withChanges, hist);
    const rows = [...page.matchAll(/<tr data-change="\d+">(.*?)<\/tr>/g)].map((m) => m[1]!);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain("VirtualService/&lt;b&gt;");
    expect(rows[0]).toContain("107.253 ms");
    expect(rows[0]).toMatch(/class="num err">3</);
    expect(rows[1]).toContain("not converged");
    expect(figures(page).get("xdsNacks")?.[0]).toBe("3");
    expect(figures(page).get("changes")?.[0]).toBe("6");
    expect(page.includes("… and 4 more pushes.")).toBe(true);
  });
});
