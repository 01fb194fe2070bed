import { describe, expect, it } from "vitest";
import { OutlierDetector, istioOutlierConfig } from "../../../src/proxy/outlier-detector.js";
import type { AttemptOutcome } from "../../../src/proxy/route/retry-policy.js";

const r = (status: number): AttemptOutcome => ({ kind: "response", status });
const fail = (d: OutlierDetector, host: number, times: number, now: number, status = 503) => {
  let ejected = false;
  for (let i = 0; i < times; i++) ejected = d.reportResult(host, r(status), now) || ejected;
  return ejected;
};

describe("istioOutlierConfig (Istio → Envoy mapping)", () => {
  it("defaults: 5 consecutive 5xx, gateway errors not enforced, 10 s, 30 s, 300 s max, 10 %", () => {
    const c = istioOutlierConfig({});
    expect(c).toMatchObject({
      consecutive5xx: 5, enforcingConsecutive5xx: 100, enforcingConsecutiveGatewayFailure: 0,
      consecutiveLocalOriginFailure: 5, intervalMs: 10_000, baseEjectionTimeMs: 30_000, maxEjectionTimeMs: 300_000, maxEjectionPercent: 10,
    });
    expect(istioOutlierConfig({ consecutive5xxErrors: 0 }).enforcingConsecutive5xx).toBe(0);
    expect(istioOutlierConfig({ baseEjectionTimeMs: 400_000 }).maxEjectionTimeMs).toBe(400_000);
  });
});

describe("consecutive 5xx ejection", () => {
  it("ejects inline when the counter reaches exactly N; a success in between resets it", () => {
    const d = new OutlierDetector(istioOutlierConfig({ consecutive5xxErrors: 3, maxEjectionPercent: 100 }), 2);
    expect(fail(d, 0, 2, 0)).toBe(false);
    d.reportResult(0, r(200), 0);
    expect(fail(d, 0, 2, 0)).toBe(false);
    expect(fail(d, 0, 1, 5)).toBe(true);
    expect(d.isEjected(0)).toBe(true);
    expect(d.events[0]).toMatchObject({ action: "eject", host: 0, time: 5, type: "consecutive_5xx", durationMs: 30_000 });
  });

  it("Envoy ≥ 1.28 strict cap: with the default 10 % nobody is ejected from fewer than 10 hosts", () => {
    const d = new OutlierDetector(istioOutlierConfig({}), 9);
    expect(fail(d, 0, 5, 0, 500)).toBe(false);
    expect(d.stats.ejections_overflow).toBe(1);
    // 503s also reach the (unenforced) gateway threshold, whose detection hits the cap first too.
    expect(fail(d, 1, 5, 0, 503)).toBe(false);
    expect(d.stats.ejections_overflow).toBe(3);
    const d10 = new OutlierDetector(istioOutlierConfig({}), 10);
    expect(fail(d10, 0, 5, 0)).toBe(true);
    expect(fail(d10, 1, 5, 0)).toBe(false); // 100·2/10 = 20 > 10
  });

  it("local-origin failures map to 503 (connect failure, reset) and 504 (timeout); overflow is not reported", () => {
    const d = new OutlierDetector(istioOutlierConfig({ consecutive5xxErrors: 2, consecutiveGatewayErrors: 2, maxEjectionPercent: 100 }), 1);
    expect(d.reportResult(0, { kind: "overflow" }, 0)).toBe(false);
    expect(d.reportResult(0, { kind: "overflow" }, 0)).toBe(false);
    expect(d.reportResult(0, { kind: "connect-failure" }, 0)).toBe(false);
    expect(d.reportResult(0, { kind: "per-try-timeout" }, 0)).toBe(true);
    expect(d.stats.ejections_detected_consecutive_gateway_failure).toBe(1);
  });

  it("gateway errors unset: detected at 5 but not enforced; a 500 resets the gateway counter", () => {
    const d = new OutlierDetector(istioOutlierConfig({ consecutive5xxErrors: 0, maxEjectionPercent: 100 }), 1);
    expect(fail(d, 0, 5, 0, 502)).toBe(false);
    expect(d.stats.ejections_detected_consecutive_gateway_failure).toBe(1);
    expect(d.stats.ejections_enforced_total).toBe(0);
    const g = new OutlierDetector(istioOutlierConfig({ consecutive5xxErrors: 0, consecutiveGatewayErrors: 2, maxEjectionPercent: 100 }), 1);
    g.reportResult(0, r(502), 0);
    g.reportResult(0, r(500), 0);
    expect(g.reportResult(0, r(504), 0)).toBe(false);
    expect(g.reportResult(0, r(503), 0)).toBe(true);
  });

  it("split mode: local failures count separately; each attempt that connected resets them", () => {
    const d = new OutlierDetector(istioOutlierConfig({ splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 2, consecutive5xxErrors: 0, maxEjectionPercent: 100 }), 1);
    expect(d.reportResult(0, { kind: "connect-failure" }, 0)).toBe(false);
    expect(d.reportResult(0, { kind: "connect-failure" }, 0)).toBe(true);
    expect(d.stats.ejections_enforced_consecutive_local_origin_failure).toBe(1);
  });
});

describe("ejection time, sweeps and the multiplier", () => {
  const cfg = istioOutlierConfig({ consecutive5xxErrors: 1, intervalMs: 10_000, baseEjectionTimeMs: 30_000, maxEjectionPercent: 100 });

  it("a host returns only at a sweep: real ejection time rounds up to the next sweep", () => {
    const d = new OutlierDetector(cfg, 1, 0);
    fail(d, 0, 1, 5_000);
    expect(d.sweep(10_000)).toEqual([]);
    expect(d.sweep(20_000)).toEqual([]);
    expect(d.sweep(30_000)).toEqual([]); // 25 s elapsed
    expect(d.sweep(40_000)).toEqual([0]); // 35 s elapsed
    expect(d.isEjected(0)).toBe(false);
    expect(d.nextSweepAt).toBe(50_000);
  });

  it("the k-th ejection in a row lasts k·base, capped at max_ejection_time (300 s)", () => {
    const d = new OutlierDetector(cfg, 1, 0);
    let t = 0;
    const durations: number[] = [];
    for (let k = 1; k <= 12; k++) {
      fail(d, 0, 1, t);
      const ejectedAt = t;
      do {
        t += 10_000;
      } while (d.sweep(t).length === 0);
      durations.push(t - ejectedAt);
    }
    expect(durations.slice(0, 4)).toEqual([30_000, 60_000, 90_000, 120_000]);
    expect(durations.slice(9)).toEqual([300_000, 300_000, 300_000]);
  });

  it("the multiplier decays by one per sweep after a full interval back in service", () => {
    const d = new OutlierDetector(cfg, 1, 0);
    fail(d, 0, 1, 0);
    d.sweep(30_000); // back; multiplier 1
    expect(d.ejectionMultiplier(0)).toBe(1);
    d.sweep(40_000);
    expect(d.ejectionMultiplier(0)).toBe(0);
    fail(d, 0, 1, 40_000);
    expect(d.events.at(-1)!.durationMs).toBe(30_000);
  });

  it("rehost keeps a host's state across endpoint changes", () => {
    const d = new OutlierDetector(cfg, 2, 0);
    fail(d, 1, 1, 0);
    d.rehost(Int32Array.from([-1, 1, 0]));
    expect(d.isEjected(1)).toBe(true);
    expect(d.isEjected(0)).toBe(false);
    expect(d.stats.ejections_active).toBe(1);
  });
});

// Envoy runs success-rate and failure-percentage detection at every interval over the previous
// interval's requests (DetectorImpl::onIntervalTimer → processSuccessRateEjections, envoyproxy/envoy
// source/common/upstream/outlier_detection_impl.cc). Istio writes enforcing_success_rate: 0 and
// leaves enforcing_failure_percentage at Envoy's 0 (cluster_traffic_policy.go applyOutlierDetection),
// so neither ejects — but ejectHost still checks the cap first, so a detection the cap blocks counts
// in ejections_overflow. meshsim ran neither, so these counters stayed 0.
describe("success rate and failure percentage (detected, never enforced under Istio)", () => {
  // 5 hosts, 120 requests each per interval; host 0 answers 503 to all of them.
  const interval = (d: OutlierDetector, t: number) => {
    for (let k = 0; k < 120; k++) for (let h = 0; h < 5; h++) d.reportResult(h, r(h === 0 ? 503 : 200), t);
  };
  it("5 hosts at the default 10 % cap: each sweep detects host 0 twice and the cap blocks both", () => {
    // consecutive5xxErrors: 0 turns the consecutive check off, leaving only these two.
    const d = new OutlierDetector(istioOutlierConfig({ consecutive5xxErrors: 0 }), 5);
    interval(d, 1000);
    d.sweep(10_000); // reads the interval that just ended
    // Success rates 0, 100, 100, 100, 100: mean 80, stdev 40, threshold 80 − 1.9·40 = 4 > 0.
    expect(d.stats.ejections_detected_success_rate).toBe(1);
    // 100 % failures ≥ 85 %, 120 requests ≥ 50, 5 hosts ≥ 5.
    expect(d.stats.ejections_detected_failure_percentage).toBe(1);
    // 100·(0 + 1)/5 = 20 % > 10 %: both overflow (the 503s' gateway detections, unenforced, too).
    expect(d.stats.ejections_overflow).toBe(2 + d.stats.ejections_detected_consecutive_gateway_failure);
    expect(d.isEjected(0)).toBe(false);
    // A quiet interval: nothing to read at the next sweep.
    d.sweep(20_000);
    expect(d.stats.ejections_detected_failure_percentage).toBe(1);
    interval(d, 21_000);
    d.sweep(30_000);
    expect(d.stats.ejections_detected_failure_percentage).toBe(2);
  });
  it("with room under the cap, a detection is not enforced (enforcing 0) and not an overflow", () => {
    const d = new OutlierDetector(istioOutlierConfig({ consecutive5xxErrors: 0, consecutiveGatewayErrors: 0, maxEjectionPercent: 100 }), 5);
    interval(d, 1000);
    d.sweep(10_000);
    expect(d.stats.ejections_detected_failure_percentage).toBe(1);
    expect(d.stats.ejections_detected_success_rate).toBe(1);
    expect(d.stats.ejections_overflow).toBe(0);
    expect(d.stats.ejections_enforced_total).toBe(0);
    expect(d.isEjected(0)).toBe(false);
  });
  it("fewer than 5 hosts, or too few requests, detect nothing", () => {
    const four = new OutlierDetector(istioOutlierConfig({ consecutive5xxErrors: 0 }), 4);
    for (let k = 0; k < 120; k++) for (let h = 0; h < 4; h++) four.reportResult(h, r(h === 0 ? 503 : 200), 0);
    four.sweep(10_000);
    four.sweep(20_000);
    expect(four.stats.ejections_detected_failure_percentage + four.stats.ejections_detected_success_rate).toBe(0);
    const quiet = new OutlierDetector(istioOutlierConfig({ consecutive5xxErrors: 0 }), 5);
    for (let k = 0; k < 49; k++) for (let h = 0; h < 5; h++) quiet.reportResult(h, r(h === 0 ? 503 : 200), 0);
    quiet.sweep(10_000);
    expect(quiet.stats.ejections_detected_failure_percentage + quiet.stats.ejections_detected_success_rate).toBe(0);
  });
});
