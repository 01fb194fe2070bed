// Circuit breaking and outlier detection, against Istio's circuit-breaking task and Envoy's
// outlier-detection documentation.
// https://istio.io/latest/docs/tasks/traffic-management/circuit-breaking/
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
import { describe, expect, it } from "vitest";
import type { Summary } from "../../src/report/summary-types.js";
import { counters, runCli } from "./meshsim-cli.js";
import { mesh, type ServerDeployment } from "./mesh-fixture.js";

function dr(trafficPolicy: string): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  trafficPolicy: ${trafficPolicy}`;
}

const ejections = (s: Summary) => s.events.filter((e) => e.kind === "ejection");
const ejectedPods = (s: Summary) => new Set(ejections(s).map((e) => e.detail["pod"]));

describe.concurrent("Istio task: Circuit Breaking", () => {
  const cb = (c: number, n: number) =>
    runCli(mesh({
      name: `acc-cb-c${c}`, duration: "10s",
      // The istio-1.8 profile: its pass (≈ 1.2 ms) outlasts a new mTLS connection's set-up, as in the
      // page's runs (2020, and Istio in mid-2024, whose cluster set connections up in ≈ 0.25 ms).
      // On the default istio-1.24 profile and network the set-up (≈ 0.6 ms) outlasts the pass
      // (≈ 0.2 ms) and -c 2 refuses about half (docs/docs-vs-source.md, "Circuit breaking").
      spec: "  mesh: {proxy: {profile: istio-1.8}}",
      servers: [{ name: "httpbin", behaviour: "serviceTime: {dist: lognormal, median: 1ms, p99: 3ms}" }],
      load: `connections: ${c}, requests: ${n}, qps: 0`,
      istio: dr(`
    connectionPool:
      tcp: {maxConnections: 1}
      http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
    outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 3m, maxEjectionPercent: 100}`),
    }));

  // The page shows `-c 2 -n 20`: "Code 200 : 17 (85.0 %) Code 503 : 3 (15.0 %)" ("almost all
  // requests made it through"), and `-c 3 -n 30`: "Code 200 : 11 (36.7 %) Code 503 : 19 (63.3 %)",
  // the 503s counted by upstream_rq_pending_overflow.
  it("fortio -c 2 -n 20: a few 503 UO, most requests pass; -c 3 -n 30: most are 503 UO", async () => {
    const [c2, c3] = await Promise.all([cb(2, 20), cb(3, 30)]);
    const share = (s: Summary) => (s.clients["client"]!.codes["503"] ?? 0) / s.clients["client"]!.requests;
    expect(c2.clients["client"]!.requests).toBe(20);
    expect(c3.clients["client"]!.requests).toBe(30);
    expect(share(c2)).toBeGreaterThan(0);
    expect(share(c2)).toBeLessThanOrEqual(0.35);
    expect(share(c3)).toBeGreaterThanOrEqual(0.4);
    expect(share(c3)).toBeLessThanOrEqual(0.85);
    for (const s of [c2, c3]) {
      const c = s.clients["client"]!;
      expect(c.flags["UO"]).toBe(c.codes["503"]);
      expect(counters(s, "client", "server")["upstream_rq_pending_overflow"]).toBe(c.codes["503"]);
      // Overflow is local to the client's sidecar: never an outlier, even with consecutive5xxErrors: 1.
      expect(ejections(s)).toEqual([]);
    }
  });
});

const ONE_BAD_OF_THREE: ServerDeployment[] = [
  { name: "good", replicas: 2, behaviour: "serviceTime: 2ms" },
  { name: "bad", behaviour: "serviceTime: 2ms, errorRate: 1" },
];

describe.concurrent("outlier detection: which errors count", () => {
  it("consecutive5xxErrors: 3 ejects a pod answering 500", async () => {
    const s = await runCli(mesh({
      name: "acc-od-5xx", duration: "5s", servers: ONE_BAD_OF_THREE, load: "rate: 100",
      istio: dr("{outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 30s, maxEjectionPercent: 100}}"),
    }));
    expect([...ejectedPods(s)]).toEqual(["bad-0"]);
    expect(counters(s, "client", "server")["ejections_enforced_consecutive_5xx"]).toBe(1);
  });

  // consecutiveGatewayErrors counts 502, 503 and 504 only; a 500 resets its counter.
  it("consecutiveGatewayErrors alone (consecutive5xxErrors: 0) never ejects a pod answering 500", async () => {
    const s = await runCli(mesh({
      name: "acc-od-gw-500", duration: "5s", servers: ONE_BAD_OF_THREE, load: "rate: 100",
      istio: dr("{outlierDetection: {consecutive5xxErrors: 0, consecutiveGatewayErrors: 3, interval: 1s, baseEjectionTime: 30s, maxEjectionPercent: 100}}"),
    }));
    expect(ejections(s)).toEqual([]);
  });

  // A pod whose app answers 503 itself (its one slot busy, no queue): gateway errors.
  it("consecutiveGatewayErrors: 3 ejects a pod answering 503", async () => {
    const s = await runCli(mesh({
      name: "acc-od-gw-503", duration: "5s",
      servers: [
        { name: "good", replicas: 2, behaviour: "serviceTime: 2ms" },
        { name: "bad", behaviour: "concurrency: 1, queueLimit: 0, serviceTime: 10s" },
      ],
      load: "rate: 100",
      istio: dr("{outlierDetection: {consecutive5xxErrors: 0, consecutiveGatewayErrors: 3, interval: 1s, baseEjectionTime: 30s, maxEjectionPercent: 100}}"),
    }));
    expect([...ejectedPods(s)]).toEqual(["bad-0"]);
    expect(counters(s, "client", "server")["ejections_enforced_consecutive_gateway_failure"]).toBe(1);
  });
});

describe.concurrent("outlier detection: ejection time and the cap", () => {
  // "the host is ejected for a period equal to baseEjectionTime × the number of times it has been
  // ejected", returning at an interval sweep.
  it("a pod failing for ever is ejected for 2 s, then 4 s, then 6 s (base 2 s, interval 1 s)", async () => {
    const s = await runCli(mesh({
      name: "acc-od-time", duration: "20s", servers: ONE_BAD_OF_THREE, load: "rate: 100",
      istio: dr("{outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 2s, maxEjectionPercent: 100}}"),
    }));
    const ej = ejections(s);
    expect(ej.slice(0, 3).map((e) => e.detail["durationMs"])).toEqual([2000, 4000, 6000]);
    const back = s.events.filter((e) => e.kind === "unejection");
    for (let i = 0; i < 2; i++) {
      const out = back[i]!.t - ej[i]!.t;
      expect(out).toBeGreaterThanOrEqual(2 * (i + 1));
      expect(out).toBeLessThan(2 * (i + 1) + 1.001);
    }
  });

  // Envoy ≥ 1.28: eject only if 100·(ejected+1)/hosts ≤ max_ejection_percent, compared without
  // rounding. Three hosts: one is 33.3 %, two are 66.7 %.
  const allBad = (mep: number) =>
    runCli(mesh({
      name: `acc-od-mep-${mep}`, duration: "5s",
      servers: [{ name: "bad", replicas: 3, behaviour: "serviceTime: 2ms, errorRate: 1" }],
      load: "rate: 100",
      istio: dr(`{outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: ${mep}}}`),
    }));

  it("maxEjectionPercent 33 of three hosts ejects none (33.3 % > 33); 34 ejects one; 67 ejects two", async () => {
    const [m33, m34, m67] = await Promise.all([allBad(33), allBad(34), allBad(67)]);
    expect(ejectedPods(m33).size).toBe(0);
    expect(counters(m33, "client", "server")["ejections_overflow"]).toBeGreaterThan(0);
    expect(ejectedPods(m34).size).toBe(1);
    expect(ejectedPods(m67).size).toBe(2);
  });

  it("Istio's default maxEjectionPercent (10 %) ejects nobody of three hosts", async () => {
    const s = await runCli(mesh({
      name: "acc-od-mep-default", duration: "5s", servers: ONE_BAD_OF_THREE, load: "rate: 100",
      istio: dr("{outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 30s}}"),
    }));
    expect(ejections(s)).toEqual([]);
  });
});

// Istio writes healthy_panic_threshold = minHealthPercent, default 0: panic mode is off, so with
// every host ejected Envoy answers 503 UH "no healthy upstream". With minHealthPercent 50 and fewer
// than half the hosts healthy, Envoy balances over all hosts again (panic).
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection (minHealthPercent)
describe.concurrent("outlier detection and the panic threshold", () => {
  const run = (extra: string) =>
    runCli(mesh({
      name: `acc-panic${extra === "" ? "" : "-50"}`, duration: "5s",
      servers: [{ name: "bad", replicas: 2, behaviour: "serviceTime: 2ms, errorRate: 1" }],
      load: "rate: 100",
      istio: dr(`{outlierDetection: {consecutive5xxErrors: 2, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 100${extra}}}`),
    }));

  it("minHealthPercent 0 (Istio's default): both hosts ejected, then every request is 503 UH", async () => {
    const s = await run("");
    expect(ejectedPods(s).size).toBe(2);
    const c = s.clients["client"]!;
    expect(c.flags["UH"]).toBeGreaterThan(0.9 * c.requests);
    expect(c.codes["500"]).toBeLessThan(0.1 * c.requests);
  });

  it("minHealthPercent 50: with both hosts ejected Envoy panics and sends to them anyway (500s, no UH)", async () => {
    const s = await run(", minHealthPercent: 50");
    const c = s.clients["client"]!;
    expect(c.flags["UH"] ?? 0).toBe(0);
    expect(c.codes["500"]).toBe(c.requests);
  });
});
