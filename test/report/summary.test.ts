import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { buildSummary, round3, summaryJson } from "../../src/report/summary.js";
import { Recorder } from "../../src/telemetry/recorder.js";
import { fixtureRecorder, FQDN } from "./fixture.js";

const info = { name: "fixture", seed: 7, simulatedSeconds: 40, expectations: [{ text: "users p99 < 300ms", ok: true, actual: 14.1234567 }] };

describe("buildSummary", () => {
  const s = buildSummary(fixtureRecorder(), info);

  it("has the contract's keys in order, then the additive ones", () => {
    expect(Object.keys(s)).toEqual([
      "meshsim", "scenario", "seed", "simulatedSeconds", "measuredSeconds", "clients", "edges", "pods", "mesh", "expectations", "timeSeries", "clusters", "events",
    ]);
    expect(s.meshsim).toBe("0.1.0");
    expect([s.scenario, s.seed, s.simulatedSeconds, s.measuredSeconds]).toEqual(["fixture", 7, 40, 30]);
    expect(Object.keys(s.clients.users!)).toEqual(["requests", "codes", "flags", "latencyMs", "errorRate", "rps", "meanInflight", "ci95"]);
    expect(Object.keys(s.clients.users!.latencyMs)).toEqual(["mean", "p50", "p90", "p99", "p999", "max"]);
    expect(Object.keys(s.edges[0]!)).toEqual(["source", "destination", "service", "requests", "codes", "flags", "latencyMs", "mtls", "reporter", "errorRate"]);
    expect(Object.keys(s.mesh)).toEqual([
      "proxies", "proxyCpuSeconds", "xdsPushes", "convergenceMs", "xdsPushesByType", "xdsRejects", "staleProxiesMax", "certificatesIssued", "changes",
    ]);
    expect(Object.keys(s.timeSeries)).toEqual(["windowSeconds", "clients", "edges", "staleProxies"]);
  });

  it("summarises clients, excluding the warm-up", () => {
    const u = s.clients.users!;
    expect(u.requests).toBe(100);
    expect(u.codes).toEqual({ "200": 96, "503": 4 });
    expect(u.flags).toEqual({ "-": 96, UO: 4 });
    expect(u.errorRate).toBe(0.04);
    expect(u.rps).toBe(3.333);
    expect(u.latencyMs.max).toBe(14.123);
    expect(u.latencyMs.mean).toBe(round3(9.5 + 0.1234));
    expect(s.clients.jason!.codes).toEqual({ "0": 1, "200": 1, "404": 1 });
    expect(Object.keys(s.clients)).toEqual(["jason", "users"]);
  });

  it("gives one edge per (source, destination, service): the source reporter if any, else the destination", () => {
    expect(s.edges.map((e) => [e.source, e.destination, e.service, e.reporter, e.requests])).toEqual([
      ["productpage-v1", "reviews-v2", FQDN.reviews, "source", 52],
      ["reviews-v2", "ratings-v1", "ratings-admin.default.svc.cluster.local", "destination", 5],
      ["reviews-v2", "ratings-v1", FQDN.ratings, "destination", 20],
      ["users", "unknown", "unknown", "source", 1],
    ]);
    const pp = s.edges[0]!;
    expect(pp.codes).toEqual({ "200": 51, "503": 1 });
    expect(pp.flags).toEqual({ "-": 51, "UF,URX": 1 });
    expect(pp.mtls).toBe(true);
    expect(pp.latencyMs.max).toBe(8); // the source reporter's latencies (4..8), not the destination's
    expect(pp.latencyMs.p999).toBeLessThanOrEqual(pp.latencyMs.max);
    expect(s.edges[2]!.mtls).toBe(false);
  });

  it("summarises pods, the mesh, clusters and events", () => {
    expect(s.pods).toEqual({
      "ratings-v1-0": { requests: 1, ejections: 0, utilization: null, meanBusy: 3 },
      "reviews-v2-0": { requests: 1, ejections: 1, utilization: 0.75, meanBusy: 1.5 },
    });
    expect(Object.keys(s.pods)).toEqual(["ratings-v1-0", "reviews-v2-0"]);
    expect(s.mesh).toEqual({
      proxies: 6, proxyCpuSeconds: 1.235, xdsPushes: 3, convergenceMs: { p50: expect.closeTo(120, 0.1), max: 410 },
      xdsPushesByType: { cds: 0, eds: 0, lds: 0, rds: 0 }, xdsRejects: { cds: 0, eds: 0, lds: 0, rds: 0 }, staleProxiesMax: 0, certificatesIssued: 0, changes: [],
    });
    expect(s.clusters).toEqual({
      "productpage-v1": {
        "outbound|9080||details.default.svc.cluster.local": { upstream_rq_total: 7 },
        "outbound|9080||reviews.default.svc.cluster.local": { upstream_cx_active: 2, upstream_rq_pending_overflow: 0, upstream_rq_retry: 1, upstream_rq_total: 51 },
      },
    });
    expect(Object.keys(s.clusters["productpage-v1"]!["outbound|9080||reviews.default.svc.cluster.local"]!)).toEqual([
      "upstream_cx_active", "upstream_rq_pending_overflow", "upstream_rq_retry", "upstream_rq_total",
    ]);
    expect(s.events).toEqual([
      { t: 2, kind: "push", detail: { version: 1 } },
      { t: 20, kind: "eject", detail: { cluster: "outbound|9080||reviews.default.svc.cluster.local", pod: "reviews-v2-0" } },
    ]);
    expect(s.expectations).toEqual([{ text: "users p99 < 300ms", ok: true, actual: 14.123457 }]);
  });

  it("has time series per client (with p50/p99) and per edge (counts), one point per window", () => {
    expect(s.timeSeries.windowSeconds).toBe(10);
    const users = s.timeSeries.clients.users!;
    expect(users.map((p) => [p.t, p.requests, p.errors])).toEqual([[10, 50, 2], [20, 50, 2], [30, 0, 0]]);
    expect(users[2]!.p99).toBeNull();
    expect(users[0]!.p99).toBeGreaterThan(users[0]!.p50!);
    const jason = s.timeSeries.clients.jason!;
    expect(jason.map((p) => [p.requests, p.errors])).toEqual([[1, 0], [2, 1], [0, 0]]);
    expect(s.timeSeries.edges.map((e) => e.points.map((p) => p.requests))).toEqual([[50, 0, 2], [5, 0, 0], [20, 0, 0], [0, 1, 0]]);
    expect(s.timeSeries.edges[0]!.points[0]).toEqual({ t: 10, requests: 50, errors: 0 });
  });

  it("is byte-identical for the same recordings, whatever order the subjects were created in", () => {
    const a = summaryJson(buildSummary(fixtureRecorder("forward"), info));
    const b = summaryJson(buildSummary(fixtureRecorder("reverse"), info));
    expect(a.endsWith("}\n")).toBe(true);
    expect(JSON.parse(a)).toEqual(JSON.parse(b)); // a readable diff on failure
    expect(a).toBe(b);
  });

  it("building it twice gives the same text (closing windows is idempotent)", () => {
    const r = fixtureRecorder();
    expect(summaryJson(buildSummary(r, info))).toBe(summaryJson(buildSummary(r, info)));
  });

  it("rounds every number to at most 3 decimals (expectation actuals to 6)", () => {
    const r = new Recorder({ warmupMs: 0, windowMs: 1000, endMs: 3000 });
    const c = r.client("c");
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 50 }), (ms) => {
        for (const [i, v] of ms.entries()) c.record(i, v, 200, "-");
        const text = summaryJson(buildSummary(r, { name: "x", seed: 1, simulatedSeconds: 3, expectations: [] }));
        const numbers = text.match(/-?\d+\.\d+(?:e-?\d+)?/g) ?? [];
        for (const n of numbers) expect(n).toMatch(/^-?\d+\.\d{1,3}$/);
      }),
      { numRuns: 30 },
    );
  });

  it("round3 turns -0 and non-finite values into 0", () => {
    expect(Object.is(round3(-0.0001), 0)).toBe(true);
    expect(round3(Number.NaN)).toBe(0);
    expect(round3(1.23456)).toBe(1.235);
  });
});
