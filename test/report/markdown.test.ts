import { describe, it, expect } from "vitest";
import { renderMarkdown } from "../../src/report/markdown.js";
import { buildSummary } from "../../src/report/summary.js";
import { fixtureRecorder } from "./fixture.js";

const summary = buildSummary(fixtureRecorder(), {
  name: "fixture",
  seed: 7,
  simulatedSeconds: 40,
  expectations: [
    { text: "users p99 < 300ms", ok: true, actual: 14.1 },
    { text: "nobody p99 < 1s", ok: false, actual: null },
  ],
});
const md = renderMarkdown(summary);
const lines = md.split("\n");

describe("renderMarkdown", () => {
  it("has a title, the run's facts and the sections in order", () => {
    expect(lines[0]).toBe("# meshsim report: fixture");
    expect(md).toContain("seed 7");
    expect(md).toContain("40 s simulated, 30 s measured (figures exclude the 10 s warm-up)");
    const order = ["## Expectations", "## Clients", "## Edges", "## Response codes and flags", "## Pods", "## Mesh", "## Control plane", "## Envoy cluster counters", "## Events"];
    const at = order.map((h) => lines.indexOf(h));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("marks expectations with ✔ and ✘ and says when there was no value", () => {
    expect(lines).toContain("1 of 2 failed.");
    expect(lines).toContain("- ✔ users p99 < 300ms — actual 14.1");
    expect(lines).toContain("- ✘ nobody p99 < 1s — actual none (no requests)");
  });

  it("has a row per client and per edge, with well-formed tables", () => {
    const users = lines.find((l) => l.startsWith("| users |"))!;
    expect(users).toContain("| 100 | 3.333 | 4% |");
    expect(users).toContain("200: 96, 503: 4");
    const edge = lines.find((l) => l.startsWith("| productpage-v1 | reviews-v2 |"))!;
    expect(edge).toContain("| source | 52 |");
    expect(edge.endsWith("| yes |")).toBe(true);
    // Every row of a table has as many cells as its header (escaped pipes are not separators).
    const cells = (l: string): number => l.replace(/\\\|/g, "").split("|").length;
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith("|---")) continue;
      const header = cells(lines[i - 1]!);
      for (let j = i + 1; j < lines.length && lines[j]!.startsWith("|"); j++) expect(cells(lines[j]!), lines[j]).toBe(header);
    }
  });

  it("explains each code and each flag seen, once", () => {
    expect(lines).toContain("- `0`: no HTTP response at all (connection reset or refused, or the client went away; Envoy logs 0)");
    const flags = lines.filter((l) => /^- `[A-Z]+` \(/.test(l)).map((l) => l.slice(3, l.indexOf("`", 3)));
    expect(flags).toEqual(["DC", "DI", "NR", "UF", "UO", "URX"]);
    expect(md).toContain("- `UO` (UpstreamOverflow): a circuit breaker overflowed");
  });

  it("lists pods with utilisation, or a dash when concurrency is unbounded", () => {
    expect(lines).toContain("| reviews-v2-0 | 1 | 75.00% | 1.5 | 1 |");
    expect(lines).toContain("| ratings-v1-0 | 1 | – | 3 | 0 |");
  });

  it("escapes pipes in cluster names", () => {
    expect(md).toContain("outbound\\|9080\\|\\|reviews.default.svc.cluster.local");
  });

  it("has a Control plane section: ACKs and NACKs by type, certificates, stale maximum, and one row per push", () => {
    expect(lines).toContain("- Rejected (NACK): CDS 0, EDS 0, LDS 0, RDS 0");
    expect(lines).toContain("- At most 0 proxies behind istiod's config at once (after the warm-up)");
    expect(md).not.toContain("| time (s) | kind |"); // no pushes, no table
    const withChanges = renderMarkdown({
      ...summary,
      mesh: {
        ...summary.mesh,
        changes: [
          { t: 30, kind: "config", what: "VirtualService/a|b", convergenceMs: 107.253, proxiesPushed: 6, rejected: 6 },
          { t: 40.25, kind: "endpoints", what: "reviews-v3-0 ready", convergenceMs: null, proxiesPushed: 4, rejected: 0 },
        ],
        changesDropped: 3,
      },
    }).split("\n");
    expect(withChanges).toContain("| 30 | config | VirtualService/a\\|b | 107.253 | 6 | 6 |");
    expect(withChanges).toContain("| 40.25 | endpoints | reviews-v3-0 ready | not converged | 4 | 0 |");
    expect(withChanges).toContain("… and 3 more pushes.");
  });
});
