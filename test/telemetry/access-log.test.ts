// access.log: Istio's TEXT format field by field, one line per request per proxy that counted it
// (the same requests as the metrics: lines per flag equal the recorder's counts), streamed in batches.
import path from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AccessLog, formatAccessLogLine, type AccessLogEntry } from "../../src/telemetry/access-log.js";
import { StringSink } from "../../src/telemetry/line-sink.js";
import { IdSource } from "../../src/telemetry/request-ids.js";
import { LOG_EPOCH_MS, startTimeText } from "../../src/telemetry/log-epoch.js";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { summaryJson } from "../../src/report/summary.js";
import { RandomStreams } from "../../src/engine/rng.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { SIZED } from "../support/sized-scenario.js";

const SCENARIOS = path.resolve(import.meta.dirname, "../../scenarios");

/** Istio's default TEXT format, as a pattern with one group per operator. */
export const ISTIO_TEXT_LINE = new RegExp(
  "^\\[(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z)\\] " + // START_TIME
    "\"(\\S+) (\\S+) (HTTP/1\\.1)\" " + // METHOD PATH PROTOCOL
    "(\\d+) (\\S+) (\\S+) (\\S+) \"([^\"]*)\" " + // RESPONSE_CODE FLAGS CODE_DETAILS TERMINATION "TRANSPORT_FAILURE"
    "(\\d+) (\\d+) (\\d+) (\\d+|-) " + // BYTES_RECEIVED BYTES_SENT DURATION UPSTREAM_SERVICE_TIME
    "\"([^\"]*)\" \"([^\"]*)\" \"([0-9a-f-]{36})\" \"([^\"]*)\" \"([^\"]*)\" " + // XFF UA REQUEST_ID AUTHORITY "UPSTREAM_HOST"
    "(\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+)$", // CLUSTER UP_LOCAL DOWN_LOCAL DOWN_REMOTE SNI ROUTE
);

const ENTRY: AccessLogEntry = {
  startMs: 61_234.5678, endMs: 61_246.9, method: "GET", path: "/reviews/0", authority: "reviews:9080",
  code: 200, flags: "-", bytesReceived: 0, bytesSent: 295, upstreamServiceMs: 10.7,
  requestId: "a6b0e9a2-4c1d-4f3e-9b2a-7c8d9e0f1a2b", upstreamHost: "10.0.0.4:9080",
  upstreamCluster: "outbound|9080|v2|reviews.default.svc.cluster.local", downstreamLocal: "", downstreamRemote: "", routeName: "default",
};

describe("the access-log line", () => {
  it("is Istio's default TEXT format with simulated time from the 2024-01-01 epoch", () => {
    expect(formatAccessLogLine(ENTRY)).toBe(
      '[2024-01-01T00:01:01.234Z] "GET /reviews/0 HTTP/1.1" 200 - via_upstream - "-" 0 295 12 10 "-" "-" ' +
        '"a6b0e9a2-4c1d-4f3e-9b2a-7c8d9e0f1a2b" "reviews:9080" "10.0.0.4:9080" outbound|9080|v2|reviews.default.svc.cluster.local - - - - default\n',
    );
    const local = formatAccessLogLine({ ...ENTRY, code: 503, flags: "UO", upstreamServiceMs: -1, upstreamHost: "", routeName: "" });
    expect(local).toContain('" 503 UO upstream_reset_before_response_started{overflow} - "-" ');
    expect(local).toContain(' 12 - "-" "-" ');
    expect(local).toMatch(/"reviews:9080" "-" outbound\|9080\|v2\|reviews\.default\.svc\.cluster\.local - - - - -\n$/);
  });

  it("START_TIME is the ISO-8601 UTC time of the simulated ms from the epoch, whatever the order of calls", () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1e11, noNaN: true }), { minLength: 1, maxLength: 20 }), (times) => {
      for (const t of times) expect(startTimeText(t)).toBe(new Date(LOG_EPOCH_MS + Math.floor(t)).toISOString());
    }));
  });

  it("x-request-ids are version-4 UUIDs, never repeating within a run", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
      const ids = new IdSource(new RandomStreams(seed).stream("t"));
      const seen = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const u = ids.uuid();
        expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        seen.add(u);
        expect(ids.spanId()).toMatch(/^[0-9a-f]{16}$/);
      }
      expect(seen.size).toBe(50);
    }), { numRuns: 30 });
  });

  it("leaves out requests that ended in the warm-up and writes in batches, not per line", () => {
    const sink = new StringSink();
    const log = new AccessLog(sink, 1_000);
    log.log({ ...ENTRY, startMs: 990, endMs: 999 });
    for (let i = 0; i < 2_000; i++) log.log({ ...ENTRY, startMs: 1_000 + i, endMs: 1_001 + i });
    expect(sink.writes).toBeGreaterThan(1);
    expect(sink.writes).toBeLessThan(20);
    log.close();
    const lines = sink.text.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(2_000);
    expect(lines[0]).toMatch(/^\[2024-01-01T00:00:01\.000Z\]/);
    expect(sink.closed).toBe(true);
  });
});

function logged(file: string, durationMs: number, seed?: number) {
  const scenario = loadScenario(path.join(SCENARIOS, file));
  const accessLog = new StringSink();
  const out = runScenario(scenario, { durationMs, records: { accessLog }, ...(seed !== undefined ? { seed } : {}) });
  return { out, text: accessLog.text, lines: accessLog.text.split("\n").filter((l) => l !== "") };
}

describe("access.log of a run", () => {
  it("has one line per request per proxy that counted it, with the flags the metrics count", () => {
    for (const file of ["bookinfo/fault-injection-delay.yaml", "resilience/outlier-ejection.yaml", "bookinfo/ingress-gateway.yaml"]) {
      const { out, lines } = logged(file, 20_000);
      const byFlags = new Map<string, number>();
      let total = 0;
      for (const e of out.recorder.edges) {
        for (const [f, n] of e.flags()) byFlags.set(f, (byFlags.get(f) ?? 0) + n);
        total += e.requests;
      }
      expect(lines.length, file).toBe(total);
      const seen = new Map<string, number>();
      for (const l of lines) {
        const m = ISTIO_TEXT_LINE.exec(l);
        expect(m, l).not.toBeNull();
        seen.set(m![6]!, (seen.get(m![6]!) ?? 0) + 1);
      }
      expect(seen, file).toEqual(byFlags);
    }
  });

  it("names upstream clusters and hosts as Envoy does: outbound|port|subset|fqdn to pod ip:port, inbound|port||", () => {
    const { lines } = logged("bookinfo/request-routing.yaml", 15_000);
    const fields = lines.map((l) => ISTIO_TEXT_LINE.exec(l)!);
    const clusters = new Set(fields.map((m) => m[19]));
    expect(clusters).toContain("outbound|9080|v1|reviews.default.svc.cluster.local");
    expect(clusters).toContain("inbound|9080||");
    for (const m of fields) expect(m[18]).toMatch(/^10\.\d+\.\d+\.\d+:\d+$/);
    // The same x-request-id at every hop of one request: client sidecar and server sidecar lines pair up.
    const perId = new Map<string, number>();
    // The log starts at the 10 s warm-up: a request that straddles it lost its first hops' lines.
    const straddling = new Set(fields.filter((m) => /T00:00:(09|10)\./.test(m[0]!)).map((m) => m[16]!));
    for (const m of fields) if (!straddling.has(m[16]!)) perId.set(m[16]!, (perId.get(m[16]!) ?? 0) + 1);
    // All to reviews v1 (no ratings): productpage inbound, then out to details and reviews and in at each.
    expect(new Set(perId.values())).toEqual(new Set([5]));
  });

  it("is byte-identical for a seed, differs for another, and leaves summary.json byte-identical", () => {
    const a = logged("bookinfo/simulation.yaml", 12_000);
    const b = logged("bookinfo/simulation.yaml", 12_000);
    expect(a.text).toBe(b.text);
    expect(logged("bookinfo/simulation.yaml", 12_000, 2).text).not.toBe(a.text);
    const plain = runScenario(loadScenario(path.join(SCENARIOS, "bookinfo/simulation.yaml")), { durationMs: 12_000 });
    expect(summaryJson(a.out.summary)).toBe(summaryJson(plain.summary));
  });

  it("logs the body sizes the metrics count: BYTES_RECEIVED the request's, BYTES_SENT the response's", () => {
    const accessLog = new StringSink();
    const out = runScenario(scenarioFrom(SIZED), { records: { accessLog } });
    const lines = accessLog.text.trimEnd().split("\n").map((l) => ISTIO_TEXT_LINE.exec(l)!);
    for (const m of lines) expect(m[10]).toBe("300");
    const sent = lines.reduce((a, m) => a + Number(m[11]), 0);
    let counted = 0;
    for (const e of out.recorder.edges) for (const s of e.series) counted += s.sizes("response").sum;
    expect(sent).toBe(counted);
    expect(new Set(lines.map((m) => m[11])).size).toBeGreaterThan(100);
  });
});
