import { describe, it, expect } from "vitest";
import type { Comparison, Expectation, SourcePos } from "../../src/scenario/model.js";
import { compare, evaluateExpectations, noActual } from "../../src/report/expectations.js";
import { buildSummary } from "../../src/report/summary.js";
import { fixtureRecorder } from "./fixture.js";

const pos: SourcePos = { file: "sim.yaml", line: 1, column: 1 };

function client(name: string, metric: string, op: Comparison, value: number, text: string): Expectation {
  return { subject: { kind: "client", name }, checks: [{ metric, op, value, text }], pos };
}

function edge(source: string, destination: string, metric: string, op: Comparison, value: number, text: string): Expectation {
  return { subject: { kind: "edge", source, destination }, checks: [{ metric, op, value, text }], pos };
}

const rec = fixtureRecorder();
const s = buildSummary(rec, { name: "fixture", seed: 1, simulatedSeconds: 40, expectations: [] });

describe("mesh expectations", () => {
  it("check the control plane's figures of summary.json", () => {
    const e: Expectation = { subject: { kind: "mesh" }, checks: [
      { metric: "mesh.xdsPushes", op: "==", value: s.mesh.xdsPushes, text: `== ${s.mesh.xdsPushes}` },
      { metric: "mesh.convergenceMax", op: "<", value: s.mesh.convergenceMs.max, text: "< max" },
      { metric: "mesh.xdsRejects", op: "==", value: 0, text: "== 0" },
    ], pos };
    const r = evaluateExpectations([e], s);
    expect(r.map((x) => x.ok)).toEqual([true, false, true]);
    expect(r[0]!.text).toBe(`mesh xdsPushes == ${s.mesh.xdsPushes}`);
    expect(r[1]!.actual).toBe(s.mesh.convergenceMs.max);
  });
});

describe("upper ends of a client's confidence intervals", () => {
  it("are the figure plus its ci95 half-width, and none (failing) when the run gives no interval", () => {
    const withCi = { ...s, clients: { ...s.clients, users: { ...s.clients.users!, latencyMs: { ...s.clients.users!.latencyMs, mean: 10, p99: 40 }, errorRate: 0.04,
      ci95: { mean: 1.5, errorRate: 0.01, p99: null, batches: 20, windowsPerBatch: 1, lag1: 0, why: "p99: …" } } } };
    const r = evaluateExpectations([
      client("users", "meanUpper", "<", 11.6, "< 11.6ms"),
      client("users", "meanUpper", "<", 11.4, "< 11.4ms"),
      client("users", "errorRateUpper", "<", 0.051, "< 5.1%"),
      client("users", "p99Upper", "<", 1000, "< 1s"),
    ], withCi);
    expect(r.map((x) => x.ok)).toEqual([true, false, true, false]);
    expect(r.map((x) => x.actual)).toEqual([11.5, 11.5, 0.05, null]);
    expect(noActual(r[3]!.text)).toMatch(/no confidence interval/);
    expect(noActual("users p99 < 1s")).toBe("none (no requests)");
  });
});

describe("compare", () => {
  it("implements each operator, with == and != tolerant of floating-point noise", () => {
    const table: [number, Comparison, number, boolean][] = [
      [1, "<", 2, true], [2, "<", 2, false], [2, "<=", 2, true], [3, "<=", 2, false],
      [3, ">", 2, true], [2, ">", 2, false], [2, ">=", 2, true], [1, ">=", 2, false],
      [0.1 + 0.2, "==", 0.3, true], [0.31, "==", 0.3, false], [0.31, "!=", 0.3, true], [0.1 + 0.2, "!=", 0.3, false],
      [0.30000000000000004, ">=", 0.3, true], [0.29999999999999993, ">=", 0.3, true],
    ];
    for (const [a, op, b, want] of table) expect(compare(a, op, b), `${a} ${op} ${b}`).toBe(want);
  });
});

describe("evaluateExpectations", () => {
  it("checks a client's latency in ms, and words the result as the user wrote it", () => {
    const [r] = evaluateExpectations([client("users", "p99", "<", 300, "< 300ms")], s);
    expect(r).toEqual({ text: "users p99 < 300ms", ok: true, actual: s.clients.users!.latencyMs.p99 });
    const [max] = evaluateExpectations([client("users", "max", "<", 0.014, "< 14us")], s);
    expect(max!.ok).toBe(false);
  });

  it("checks requests, rps, error rate (0..1) and codes/flags counts", () => {
    const res = evaluateExpectations(
      [
        client("users", "requests", "==", 100, "== 100"),
        client("users", "rps", ">", 3.3, "> 3.3"),
        client("users", "errorRate", "==", 0.04, "== 4%"),
        client("users", "codes.503", "==", 4, "== 4"),
        client("users", "codes.5xx", "==", 4, "== 4"),
        client("users", "codes.2xx", "==", 96, "== 96"),
        client("users", "flags.UO", "==", 4, "== 4"),
        client("users", "flags.-", "==", 96, "== 96"),
        client("jason", "codes.0", "==", 1, "== 1"),
        client("jason", "errorRate", "<", 0.3, "< 30%"),
      ],
      s,
    );
    expect(res.map((r) => [r.ok, r.actual])).toEqual([
      [true, 100], [true, 3.333333], [true, 0.04], [true, 4], [true, 4], [true, 96], [true, 4], [true, 96], [true, 1], [false, 0.333333],
    ]);
  });

  it("a single flag counts every combination containing it; a combination matches exactly", () => {
    const res = evaluateExpectations(
      [
        edge("productpage-v1", "reviews-v2", "flags.URX", "==", 1, "== 1"),
        edge("productpage-v1", "reviews-v2", "flags.UF", "==", 1, "== 1"),
        edge("productpage-v1", "reviews-v2", "flags.UF,URX", "==", 1, "== 1"),
        edge("productpage-v1", "reviews-v2", "flags.UO", "==", 0, "== 0"),
        // Envoy prints flags in the order they were set (URX,UF): a combination matches in any order.
        edge("productpage-v1", "reviews-v2", "flags.URX,UF", "==", 1, "== 1"),
        edge("productpage-v1", "reviews-v2", "flags.URX,UO", "==", 0, "== 0"),
      ],
      s,
    );
    expect(res.map((r) => r.actual)).toEqual([1, 1, 1, 0, 1, 0]);
  });

  it("an edge subject sums the edges between the two workloads over services", () => {
    const [r] = evaluateExpectations([edge("reviews-v2", "ratings-v1", "requests", ">", 0, "> 0")], s);
    expect(r).toEqual({ text: "reviews-v2 -> ratings-v1 requests > 0", ok: true, actual: 25 });
  });

  it("edge latency over several services: exact with the recorder, an upper bound from the summary alone", () => {
    // 20 requests of 2 ms and 5 of 100 ms: the pooled p50 is 2 ms, the pooled p90 100 ms.
    const checks = [edge("reviews-v2", "ratings-v1", "p50", "<", 10, "< 10ms"), edge("reviews-v2", "ratings-v1", "mean", "==", 21.6, "== 21.6ms")];
    const exact = evaluateExpectations(checks, s, rec);
    expect(exact.map((r) => [r.ok, r.actual])).toEqual([[true, 2], [true, 21.6]]);
    const bound = evaluateExpectations(checks, s);
    expect(bound.map((r) => [r.ok, r.actual])).toEqual([[false, 100], [true, 21.6]]);
  });

  it("a missing subject has 0 requests; latency and error rate of no requests are null and fail", () => {
    const res = evaluateExpectations(
      [
        client("nobody", "requests", "==", 0, "== 0"),
        client("nobody", "p99", "<", 1000, "< 1s"),
        client("nobody", "errorRate", "<", 0.01, "< 1%"),
        client("nobody", "codes.200", "==", 0, "== 0"),
        edge("reviews-v1", "ratings-v1", "requests", ">", 0, "> 0"),
        edge("reviews-v1", "ratings-v1", "max", "<", 1, "< 1ms"),
        client("users", "bogus", ">", 0, "> 0"),
      ],
      s,
    );
    expect(res.map((r) => [r.ok, r.actual])).toEqual([[true, 0], [false, null], [false, null], [true, 0], [false, 0], [false, null], [false, null]]);
    expect(res[4]!.text).toBe("reviews-v1 -> ratings-v1 requests > 0");
  });

  it("evaluates every check of an expectation, in order", () => {
    const e: Expectation = {
      subject: { kind: "client", name: "users" },
      checks: [
        { metric: "p50", op: "<", value: 100, text: "< 100ms" },
        { metric: "requests", op: ">=", value: 1000, text: ">= 1000" },
      ],
      pos,
    };
    expect(evaluateExpectations([e], s).map((r) => [r.text, r.ok])).toEqual([["users p50 < 100ms", true], ["users requests >= 1000", false]]);
  });
});
