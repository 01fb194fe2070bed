// Through the CLI: access.log, traces.json and fortio-<client>.json are written when asked (the
// Simulation's report fields or --format), agree with summary.json, and change nothing in it.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeScenario } from "../support/scenario-text.js";
import { checkZipkin } from "../telemetry/zipkin-checker.js";
import { ROOT, meshsim, tmpDir } from "../support/cli.js";

const CB = "scenarios/resilience/circuit-breaking-c2.yaml";

const tmp = () => tmpDir("meshsim-records-");
const read = (d: string, f: string) => fs.readFileSync(path.join(d, f), "utf8");

describe("meshsim run --format accesslog,traces,fortio", () => {
  it("circuit breaking: the access log's UO lines are exactly summary.json's UO count on the client's edge", () => {
    const plain = tmp();
    const logged = tmp();
    expect(meshsim("run", CB, "--quiet", "--out", plain).code).toBe(0);
    expect(meshsim("run", CB, "--quiet", "--out", logged, "--format", "json,accesslog,traces,fortio").code).toBe(0);
    expect(read(logged, "summary.json")).toBe(read(plain, "summary.json"));
    expect(fs.existsSync(path.join(plain, "access.log"))).toBe(false);
    const summary = JSON.parse(read(logged, "summary.json"));
    const edge = summary.edges.find((e: { source: string; destination: string }) => e.source === "fortio-deploy" && e.destination === "unknown");
    const uo = edge.flags.UO as number;
    expect(uo).toBeGreaterThan(0);
    const lines = read(logged, "access.log").trimEnd().split("\n");
    // Field 6 of Istio's TEXT format is %RESPONSE_FLAGS%, right after the response code.
    const flags = lines.map((l) => /^\[[^\]]+\] "[^"]*" (\d+) (\S+) /.exec(l)!);
    expect(flags.filter((m) => m[2] === "UO")).toHaveLength(uo);
    for (const m of flags.filter((x) => x[2] === "UO")) expect(m[1]).toBe("503");
    expect(summary.clients.fortio.flags.UO).toBe(uo);
    // Client and server sidecar lines: 2 per request that got through, 1 per overflow (the task's
    // `fortio curl` call first: 2 more).
    expect(summary.clients["fortio-curl"].codes).toEqual({ "200": 1 });
    expect(lines).toHaveLength(2 + summary.clients.fortio.requests + (summary.clients.fortio.requests - uo));
    expect(checkZipkin(JSON.parse(read(logged, "traces.json")))).toEqual([]);
  });

  it("fortio-<client>.json has Fortio's result shape, its histogram from the client's", () => {
    const out = tmp();
    expect(meshsim("run", CB, "--quiet", "--out", out, "--format", "json,fortio").code).toBe(0);
    const f = JSON.parse(read(out, "fortio-fortio.json"));
    const c = JSON.parse(read(out, "summary.json")).clients.fortio;
    expect(f.RunType).toBe("HTTP");
    expect(f.RequestedQPS).toBe("max");
    expect(f.Exactly).toBe(20);
    expect(f.NumThreads).toBe(2);
    expect(f.URL).toBe("http://httpbin:8000/get");
    expect(typeof f.StartTime).toBe("string");
    expect(Number.isInteger(f.ActualDuration)).toBe(true);
    // The load's own duration (fortio periodic.go Run: `elapsed` around the threads), not the 10 s
    // simulation: 20 calls on two connections take a few tens of ms. ActualQPS = calls / elapsed.
    expect(f.ActualDuration).toBeGreaterThan(5e6);
    expect(f.ActualDuration).toBeLessThan(1e9);
    expect(f.ActualQPS).toBeCloseTo(c.requests / (f.ActualDuration / 1e9), 3);
    // Every 503 closes its connection and the next call dials anew (fhttp/http_client.go
    // readResponse keeps the socket only after a 2xx): 2 sockets plus one per 503 that is not a
    // connection's last answer.
    const n503 = c.codes["503"] ?? 0;
    expect(f.SocketCount).toBeGreaterThanOrEqual(2 + n503 - 2);
    expect(f.SocketCount).toBeLessThanOrEqual(2 + n503);
    expect(f.RetCodes).toEqual(c.codes);
    const h = f.DurationHistogram;
    expect(h.Count).toBe(c.requests);
    expect(h.Max).toBeCloseTo(c.latencyMs.max / 1000, 6);
    expect(h.Avg).toBeCloseTo(c.latencyMs.mean / 1000, 5);
    // fortio's p50 is interpolated in its 1 ms bucket (stats.go CalcPercentile), not meshsim's p50.
    const p50 = h.Percentiles.find((p: { Percentile: number }) => p.Percentile === 50).Value;
    expect(Math.abs(p50 - c.latencyMs.p50 / 1000)).toBeLessThan(0.001);
    expect(h.Data.reduce((a: number, d: { Count: number }) => a + d.Count, 0)).toBe(h.Count);
    expect(h.Data.at(-1).Percent).toBe(100);
    for (const d of h.Data) expect(d.Start).toBeLessThanOrEqual(d.End);
    expect(h.Data[0].Start).toBe(h.Min);
    for (const k of ["Labels", "RequestedDuration", "ActualQPS", "Version", "ErrorsDurationHistogram", "Sizes", "HeaderSizes", "Sockets", "SocketCount", "ConnectionStats"]) expect(f).toHaveProperty(k);
    // The failed calls (503s) are fortio's ErrorsDurationHistogram (periodic.go runOne: errTimes).
    expect(f.ErrorsDurationHistogram.Count).toBe(n503);
  });

  it("writes access.log and traces.json when the Simulation's report asks, and rejects an unknown format", () => {
    const file = writeScenario({
      "s.yaml": fs.readFileSync(path.join(ROOT, CB), "utf8")
        .replace("include: [httpbin.yaml]", `include: [${path.join(ROOT, "scenarios/resilience/httpbin.yaml")}]\n  report: {accessLog: true, traces: {sample: 1}}`),
    });
    const out = tmp();
    expect(meshsim("run", file, "--quiet", "--out", out).code).toBe(0);
    expect(read(out, "access.log").split("\n").length).toBeGreaterThan(20);
    const spans = JSON.parse(read(out, "traces.json"));
    expect(checkZipkin(spans)).toEqual([]);
    // One root span per request: the 20 of the load and the task's `fortio curl`.
    expect(spans.filter((s: { parentId?: string }) => s.parentId === undefined)).toHaveLength(21);
    const bad = meshsim("run", CB, "--quiet", "--out", tmp(), "--format", "json,acesslog");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown format "acesslog"');
  });

  it("rejects bad sizes with file:line:column and the field path, exit 2", () => {
    const base = fs.readFileSync(path.join(ROOT, "test/support/sized-scenario.ts"), "utf8");
    const yaml = base.slice(base.indexOf("`") + 1, base.lastIndexOf("`"));
    const neg = meshsim("run", writeScenario({ "s.yaml": yaml.replace("requestSize: 300", "requestSize: -1") }), "--quiet", "--out", tmp());
    expect(neg.code).toBe(2);
    expect(neg.stderr).toMatch(/s\.yaml:\d+:\d+: error: spec\.requestSize: /);
    const dur = meshsim("run", writeScenario({ "s.yaml": yaml.replace("median: 800", "median: 5ms") }), "--quiet", "--out", tmp());
    expect(dur.code).toBe(2);
    expect(dur.stderr).toMatch(/s\.yaml:\d+:\d+: error: spec\.responseSize\.median: /);
    expect(dur.stderr).not.toContain("    at ");
  });

  it("scenarios/bookinfo/tracing.yaml: one trace and 6 or 8 access-log lines per request, through the gateway", () => {
    const out = tmp();
    const r = meshsim("run", "scenarios/bookinfo/tracing.yaml", "--quiet", "--out", out);
    expect(r.code).toBe(0);
    const users = JSON.parse(read(out, "summary.json")).clients.users;
    const spans = JSON.parse(read(out, "traces.json"));
    expect(checkZipkin(spans)).toEqual([]);
    const roots = spans.filter((s: { parentId?: string }) => s.parentId === undefined);
    expect(roots).toHaveLength(users.requests);
    for (const root of roots) expect(root.localEndpoint.serviceName).toBe("istio-ingressgateway.istio-system");
    // Per request: the gateway, productpage's sidecar, details and reviews out and in (+ ratings out and in).
    const perId = new Map<string, number>();
    for (const l of read(out, "access.log").trimEnd().split("\n")) {
      const id = /"([0-9a-f-]{36})"/.exec(l)![1]!;
      perId.set(id, (perId.get(id) ?? 0) + 1);
    }
    expect(perId.size).toBe(users.requests);
    expect(new Set(perId.values())).toEqual(new Set([6, 8]));
  });
});
