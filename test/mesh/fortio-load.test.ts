// The closed-loop LoadGenerator as fortio behaves (https://github.com/fortio/fortio, read at 45e1871):
// - periodic/periodic.go runMaxQPSSetup / runQPSSetup / Run / runOne: each of the C threads gets N/C
//   calls (the remainder to thread 0), not a shared quota; QPS mode makes ≥ 2 calls on ≤ N/2 threads;
//   every thread makes at least one call; the QPS schedule is (i + i/(n−1))/perThreadQPS.
// - fhttp/http_client.go FastClient.readResponse and StreamFetch/connect: the socket is kept only after
//   a 2xx (or 418) answer; the next call dials anew (socketCount++), which the kernel's SO_REUSEPORT
//   hash sends to any Envoy worker.
// - fhttp/httprunner.go RunHTTPTest: one uncounted warm-up call per thread only without -n.
// - fhttp/http_client.go FastClient.Fetch dials inside the timed call when the thread has no socket
//   (connect, "connection timing"): from a pod with a sidecar, a loopback handshake of FORTIO_DIAL_MS
//   (fortio's own measurement, Istio with mTLS, 2024: 36–49 µs per dial at -c 2) before the request leaves.
// A scripted transport stands in for the mesh: it answers each request after 1 ms with the next status.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { AppCalls } from "../../src/mesh/app/app-call.js";
import { LoadGeneratorRunner } from "../../src/mesh/app/load-generator.js";
import { FORTIO_DIAL_MS } from "../../src/mesh/app/sidecar-dial.js";
import type { Origin, OutgoingRequest, Responder, Transport } from "../../src/mesh/transport.js";
import { fortioCallsPerThread, fortioTargetMs } from "../../src/scenario/fortio-threads.js";
import type { LoadGenerator } from "../../src/scenario/model.js";
import { scenarioFrom } from "../support/scenario-text.js";

function generator(load: string): LoadGenerator {
  return scenarioFrom(`apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: fortio}
spec: {duration: 60s, mesh: {mode: none}}
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec: {selector: {app: server}, ports: [{port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec: {template: {metadata: {labels: {app: server}}, spec: {containers: [{name: s, image: s}]}}}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: fortio}
spec: {from: outside, target: http://server:8080/, ${load}}
`).loadGenerators[0]!;
}

interface Sent { at: number; conn: number }

/** Runs the generator against a transport answering `status(i)` to the i-th request after 1 ms. */
function drive(
  load: string, status: (i: number) => number, stopMs = 60_000, delay: (conn: number, firstConn: number) => number = () => 1,
  /** The client's pod has a sidecar (null: the client is outside the mesh). */
  sidecar = false,
) {
  const sim = new Simulator();
  const sent: Sent[] = [];
  const latencies: number[] = [];
  const ends: number[] = [];
  const codes: number[] = [];
  let abandoned = 0;
  let dials = 0;
  let recorded = 0;
  let seed = 1;
  const transport: Transport = {
    send(_o: Origin, _r: OutgoingRequest, responder: Responder, conn: number) {
      const i = sent.length;
      sent.push({ at: sim.now, conn });
      sim.after(delay(conn, sent[0]!.conn), kAnswer, { responder, code: status(i) });
      return { abandon() { abandoned++; } };
    },
  };
  const kAnswer = sim.on((p: { responder: Responder; code: number }) => p.responder.onResponse(p.code, "-"));
  const r = new LoadGeneratorRunner(generator(load), {
    sim, calls: new AppCalls(sim, transport, () => 0),
    // A fixed-sequence source: uniform draws, reproducible.
    arrivals: () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; },
    headerDraw: () => 0,
    nextOrigin: () => ({
      pod: sidecar ? { name: "fortio-0", namespace: "default", labels: {}, hasSidecar: true, ip: "10.0.0.9" } : null,
      workload: "fortio", namespace: "default",
    }),
    sink: { issued() {}, endMs: 0, latencyMs: 0, recordStored(code: number) { recorded++; ends.push(this.endMs); latencies.push(this.latencyMs); codes.push(code); }, dialed() { dials++; } },
    stopMs, inflight: { n: 0 },
  });
  r.start();
  sim.run();
  return { sent, dials, recorded, ends, latencies, codes, abandoned };
}

describe("fortio's split of -n over -c (periodic.go)", () => {
  it("each thread gets N/C, the remainder to the first; QPS mode keeps ≥ 2 calls on ≤ N/2 threads", () => {
    expect(fortioCallsPerThread(2, 21, 0)).toEqual([11, 10]);
    expect(fortioCallsPerThread(3, 20, 0)).toEqual([8, 6, 6]);
    expect(fortioCallsPerThread(3, 4, 10)).toEqual([2, 2]);
    expect(fortioCallsPerThread(2, 1, 10)).toEqual([2]);
    // runOne calls once before it checks its count: -c 3 -n 2 at max qps makes 4 calls.
    expect(fortioCallsPerThread(3, 2, 0)).toEqual([2, 1, 1]);
    // A duration run at a qps: int(qps · duration) split evenly, no remainder.
    expect(fortioCallsPerThread(4, undefined, 10, 5_000)).toEqual([12, 12, 12, 12]);
    expect(fortioCallsPerThread(2, undefined, 0, 5_000)).toEqual([Infinity, Infinity]);
  });
  it("QPS mode's schedule stretches so the last call lands at n/perThreadQPS", () => {
    expect(fortioTargetMs(9, 10, 5)).toBeCloseTo(2000, 9);
    expect(fortioTargetMs(1, 10, 5)).toBeCloseTo(1000 * (1 + 1 / 9) / 5, 9);
    expect(fortioTargetMs(3, Infinity, 5)).toBe(600);
  });
});

describe("a closed-loop run (LoadGeneratorRunner)", () => {
  it("-c 2 -n 21: a quota per connection, not a shared one: 11 calls on one, 10 on the other", () => {
    // The first connection's answers take 1 ms, the other's 10 ms: with a shared quota the fast one
    // would send about 19 of the 21.
    const { sent } = drive("connections: 2, requests: 21, qps: 0", () => 200, 60_000, (conn, first) => (conn === first ? 1 : 10));
    expect(sent).toHaveLength(21);
    const byConn = new Map<number, number>();
    for (const s of sent) byConn.set(s.conn, (byConn.get(s.conn) ?? 0) + 1);
    expect([...byConn.values()].sort((a, b) => b - a)).toEqual([11, 10]);
  });
  it("keeps its socket while answers are 2xx: -c 2 -n 20 all 200 ⇒ 2 sockets", () => {
    const { sent, dials } = drive("connections: 2, requests: 20, qps: 0", () => 200);
    expect(dials).toBe(2);
    expect(new Set(sent.map((s) => s.conn)).size).toBe(2);
  });
  it("closes and redials after every non-2xx: -c 2 -n 20 all 503 ⇒ 20 sockets; 418 counts as OK", () => {
    const { sent, dials } = drive("connections: 2, requests: 20, qps: 0", () => 503);
    expect(dials).toBe(20);
    expect(new Set(sent.map((s) => s.conn)).size).toBe(20);
    expect(drive("connections: 2, requests: 20, qps: 0", () => 418).dials).toBe(2);
    // No answer at all (status 0, a reset) closes the socket too.
    expect(drive("connections: 1, requests: 5, qps: 0", () => 0).dials).toBe(5);
  });
  it("a redial lands on either Envoy worker (SO_REUSEPORT): one connection's sockets take both parities", () => {
    const { sent } = drive("connections: 1, requests: 40, qps: 0", () => 503);
    const workers = new Set(sent.map((s) => s.conn % 2));
    expect(workers).toEqual(new Set([0, 1]));
  });
  it("-n runs have no warm-up; a duration run makes one uncounted call per connection first", () => {
    const n = drive("connections: 3, requests: 9, qps: 0", () => 200);
    expect(n.sent).toHaveLength(9);
    expect(n.recorded).toBe(9);
    const t = drive("connections: 3, qps: 10", () => 200, 2_000);
    // 3 warm-up calls at 0 ms (answered at 1 ms), then int(10 · 2 s) = 20 calls → 6 per thread.
    expect(t.sent.filter((s) => s.at === 0)).toHaveLength(3);
    expect(t.recorded).toBe(18);
    expect(t.sent).toHaveLength(21);
    expect(t.sent[3]!.at).toBe(1);
    // Warm-up connections are kept (200): three sockets in all.
    expect(t.dials).toBe(3);
  });
  it("a dial to the client's own sidecar takes FORTIO_DIAL_MS before the request leaves, inside the call's time", () => {
    expect(FORTIO_DIAL_MS).toBeGreaterThan(0.03);
    expect(FORTIO_DIAL_MS).toBeLessThan(0.05);
    // Every answer 503: every call dials (a new socket), so every request leaves a dial later.
    const refused = drive("connections: 1, requests: 3, qps: 0", () => 503, 60_000, () => 1, true);
    const d = FORTIO_DIAL_MS;
    expect(refused.sent.map((s) => s.at)).toEqual([d, 1 + 2 * d, 2 + 3 * d].map((x) => expect.closeTo(x, 9)));
    for (const l of refused.latencies) expect(l).toBeCloseTo(1 + d, 9);
    // Answers 200: the socket is kept, only the first call dials.
    const kept = drive("connections: 1, requests: 3, qps: 0", () => 200, 60_000, () => 1, true);
    expect(kept.sent.map((s) => s.at)).toEqual([d, 1 + d, 2 + d].map((x) => expect.closeTo(x, 9)));
    expect(kept.latencies.map((l) => Number(l.toFixed(9)))).toEqual([1 + d, 1, 1].map((x) => Number(x.toFixed(9))));
    // From outside the mesh there is no sidecar to dial: the first hop's handshake is not modelled.
    expect(drive("connections: 1, requests: 3, qps: 0", () => 503).sent.map((s) => s.at)).toEqual([0, 1, 2]);
  });
  it("gives up on a call after fortio's -timeout, 3 s by default: a socket error (-1) and a new socket", () => {
    // fhttp/http_client.go: HTTPReqTimeOutDefaultValue = 3 s; FastClient.StreamFetch sets the socket's
    // deadline after connect, readResponse's read then fails ("Timeout error"): code SocketError, and
    // the socket is closed since the code is not OK.
    const slowFirst = (conn: number, first: number) => (conn === first ? 5_000 : 1);
    const t = drive("connections: 1, requests: 3, qps: 0", () => 200, 60_000, slowFirst);
    expect(t.codes).toEqual([0, 200, 200]);
    expect(t.latencies[0]).toBe(3_000);
    // The sink reads the end the load generator stored before recordStored (ClientSink.endMs).
    expect(t.ends).toEqual([3_000, 3_001, 3_002]);
    expect(t.abandoned).toBe(1);
    expect(t.dials).toBe(2);
    expect(t.sent.map((s) => s.at)).toEqual([0, 3_000, 3_001]);
    // -timeout 10s: the slow answer is waited for.
    const w = drive("connections: 1, requests: 3, qps: 0, timeout: 10s", () => 200, 60_000, slowFirst);
    expect(w.codes).toEqual([200, 200, 200]);
    expect(w.latencies[0]).toBe(5_000);
    expect(w.dials).toBe(1);
  });
});
