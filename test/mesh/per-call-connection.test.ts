// A call step with `connection: perCall`: a new TCP connection for every attempt, as Bookinfo's
// productpage makes one per `requests.get` (no Session; its retry loop calls it again): istio/istio
// samples/bookinfo/src/productpage/productpage.py `send_request`, `getProductDetails`,
// `getProductReviews`
// (https://github.com/istio/istio/blob/86c9f01fd735fb01d8192f5bcaf0d424afb7f14c/samples/bookinfo/src/productpage/productpage.py).
// Each new connection reaches the sidecar's outbound listener (REDIRECT to 15001, SO_REUSEPORT) on
// the worker the kernel's hash of its new 4-tuple picks (torvalds/linux net/core/sock_reuseport.c
// `reuseport_select_sock`: without a BPF program, `reuseport_select_sock_by_hash`, the tuple's hash
// scaled over the group's sockets by `reciprocal_scale`): a random worker per attempt, not the next
// in turn; and the attempt's request leaves after the loopback dial (FORTIO_DIAL_MS, fortio's
// measured dial to its own sidecar).
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import alea from "seedrandom/lib/alea.js";
import { Simulator } from "../../src/engine/simulator.js";
import { AppCalls, NEW_CONNECTION_PER_ATTEMPT, type AppCall } from "../../src/mesh/app/app-call.js";
import { FORTIO_DIAL_MS } from "../../src/mesh/app/sidecar-dial.js";
import type { Exchange, Origin, OutgoingRequest, Responder, Transport } from "../../src/mesh/transport.js";
import { SidecarPath } from "../../src/mesh/sidecar/sidecar-path.js";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { writeScenario } from "../support/scenario-text.js";

const req = { method: "GET", scheme: "http", authority: "a", path: "/", headers: {}, target: {} } as unknown as OutgoingRequest;
const inMesh: Origin = { pod: { name: "productpage-0", namespace: "default", labels: {}, hasSidecar: true, ip: "10.0.0.9" }, workload: "productpage", namespace: "default" };
const outside: Origin = { pod: null, workload: "productpage", namespace: "default" };

/** Calls one after another against a transport answering `status(i)` to the i-th send after 1 ms. */
function drive(origin: Origin, conn: number, calls: number, retries: number, status: (i: number) => number) {
  const sim = new Simulator();
  const sent: { at: number; conn: number }[] = [];
  const kAnswer = sim.on((p: { r: Responder; code: number }) => p.r.onResponse(p.code, "-"));
  const transport: Transport = {
    send(_o: Origin, _r: OutgoingRequest, r: Responder, c: number): Exchange {
      sent.push({ at: sim.now, conn: c });
      sim.after(1, kAnswer, { r, code: status(sent.length - 1) });
      return { abandon() {} };
    },
    closeConnection() {},
  };
  const app = new AppCalls(sim, transport, alea("per-call"));
  const latencies: number[] = [];
  let left = calls;
  const owner = {
    onCallDone: (c: AppCall) => {
      latencies.push(sim.now - c.startMs);
      if (--left > 0) app.start(origin, req, 3000, retries, owner, conn);
    },
  };
  app.start(origin, req, 3000, retries, owner, conn);
  sim.run();
  return { sent, latencies };
}

describe("an app call's connection (app-call.ts)", () => {
  it("perCall from a pod with a sidecar: each call a new socket, its worker random, its request a dial later", () => {
    const { sent, latencies } = drive(inMesh, NEW_CONNECTION_PER_ATTEMPT, 400, 0, () => 200);
    expect(sent).toHaveLength(400);
    for (const s of sent) expect(s.conn).toBeGreaterThanOrEqual(0);
    // The i-th call starts when the previous answers (1 ms after its send), its send a dial later.
    const d = FORTIO_DIAL_MS;
    sent.forEach((s, i) => expect(s.at).toBeCloseTo(i * (1 + d) + d, 9));
    for (const l of latencies) expect(l).toBeCloseTo(1 + d, 9);
    // Workers of a 2-worker sidecar: the socket's parity. Random, not in turn: both about half, and
    // consecutive calls often on the same worker (never, were they alternating).
    const parity = sent.map((s) => s.conn % 2);
    const odd = parity.filter((p) => p === 1).length;
    expect(odd).toBeGreaterThan(150);
    expect(odd).toBeLessThan(250);
    const repeats = parity.filter((p, i) => i > 0 && p === parity[i - 1]).length;
    expect(repeats).toBeGreaterThan(150);
    expect(new Set(sent.map((s) => s.conn)).size).toBe(400);
  });

  it("perCall: the app's retry is a new requests.get, so a new connection and a new dial", () => {
    // Bookinfo's reviews call: 2 attempts; the first answered 503.
    const { sent, latencies } = drive(inMesh, NEW_CONNECTION_PER_ATTEMPT, 1, 1, (i) => (i === 0 ? 503 : 200));
    const d = FORTIO_DIAL_MS;
    expect(sent.map((s) => s.at)).toEqual([d, 1 + 2 * d].map((x) => expect.closeTo(x, 9)));
    expect(sent[0]!.conn).not.toBe(sent[1]!.conn);
    expect(latencies[0]).toBeCloseTo(2 + 2 * d, 9);
  });

  it("keepAlive (the default) and perCall without a sidecar: unpinned, no dial", () => {
    const kept = drive(inMesh, -1, 3, 0, () => 200);
    expect(kept.sent).toEqual([{ at: 0, conn: -1 }, { at: 1, conn: -1 }, { at: 2, conn: -1 }]);
    // No sidecar: kube-proxy already picks per request (direct path), ztunnel already takes an
    // unnamed caller's request as a connection of its own; the first hop's handshake is not modelled.
    const direct = drive(outside, NEW_CONNECTION_PER_ATTEMPT, 3, 0, () => 200);
    expect(direct.sent).toEqual([{ at: 0, conn: -1 }, { at: 1, conn: -1 }, { at: 2, conn: -1 }]);
  });

  it("a timeout during the dial: the retry's dial sends once, the given-up attempt's never", () => {
    const sim = new Simulator();
    const sent: number[] = [];
    const transport: Transport = { send: () => { sent.push(sim.now); return { abandon() {} }; }, closeConnection() {} };
    const app = new AppCalls(sim, transport, alea("dial-timeout"));
    let done: AppCall | null = null;
    // A 0.01 ms timeout: the first attempt gives up inside its 0.042 ms dial, and so does the retry.
    app.start(inMesh, req, 0.01, 1, { onCallDone: (c) => { done = c; } }, NEW_CONNECTION_PER_ATTEMPT);
    sim.run();
    expect(sent).toEqual([]);
    expect(done!.attempts).toBe(2);
    expect(done!.timedOutAtApp).toBe(true);
  });
});

describe("Bookinfo's productpage opens a connection per call (workloads.yaml)", () => {
  afterEach(() => vi.restoreAllMocks());
  const BOOKINFO = path.resolve(import.meta.dirname, "../../scenarios/bookinfo");
  const read = (f: string) => fs.readFileSync(path.join(BOOKINFO, f), "utf8");

  it("its calls to details and reviews reach its sidecar on fresh sockets (random workers); reviews' keep none", () => {
    const file = writeScenario({
      "s.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: per-call}
spec:
  seed: 1
  duration: 10s
  warmup: 1s
  include: [bookinfo.yaml, workloads.yaml]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec:
  target: http://productpage:9080/productpage
  rate: 20
`,
      "bookinfo.yaml": read("bookinfo.yaml"),
      "workloads.yaml": read("workloads.yaml"),
    });
    const scenario = loadScenario(file);
    const pp = scenario.workloads.find((w) => w.metadata.name === "productpage")!;
    const steps = pp.behaviour.script.filter((s) => s.kind === "call");
    expect(steps.map((s) => s.kind === "call" && s.call.connection)).toEqual(["perCall", "perCall"]);
    const conns = new Map<string, number[]>();
    const send = SidecarPath.prototype.send;
    vi.spyOn(SidecarPath.prototype, "send").mockImplementation(function (this: SidecarPath, o, r, x, c) {
      const k = o.workload;
      if (!conns.has(k)) conns.set(k, []);
      conns.get(k)!.push(c);
      return send.call(this, o, r, x, c);
    });
    runScenario(scenario, { seed: 1 });
    const fromPage = conns.get("productpage-v1") ?? conns.get("productpage") ?? [];
    expect(fromPage.length).toBeGreaterThan(300);
    for (const c of fromPage) expect(c).toBeGreaterThanOrEqual(0);
    expect(new Set(fromPage).size).toBe(fromPage.length);
    // reviews (Java) keeps its default: its ratings calls are unpinned.
    for (const [k, cs] of conns) if (k.startsWith("reviews")) for (const c of cs) expect(c).toBe(-1);
  }, 60_000);
});
