// Each profile reproduces the figures it was fitted to, in Istio's benchmark set-up (1,000 rps,
// 4 connections, 2 workers per proxy), on a seed other than the one used to fit it.
import { describe, expect, it } from "vitest";
import { PROXY_PROFILES, requestCpuMs } from "../../../src/proxy/resources/calibration-profile.js";
import { sidecarBenchmark } from "../../support/sidecar-benchmark.js";

describe("calibration profiles reproduce their published figures", () => {
  for (const cal of Object.values(PROXY_PROFILES)) {
    it(`${cal.name}: two sidecars add the published p90 and p99 (±10%), one uses the published vCPU per 1,000 rps (±3%)`, () => {
      const r = sidecarBenchmark(cal, { rps: 1000, connections: 4, concurrency: 2, requests: 100_000, seed: 42 });
      expect(Math.abs(r.p90 / cal.published.addedP90Ms - 1)).toBeLessThan(0.1);
      expect(Math.abs(r.p99 / cal.published.addedP99Ms - 1)).toBeLessThan(0.1);
      expect(Math.abs(r.vcpuPerProxy / cal.published.vcpuPer1000Rps - 1)).toBeLessThan(0.03);
      expect(cal.afterResponseShare + cal.mainThreadShare).toBeLessThan(1);
    });
  }
});

describe("requestCpuMs", () => {
  const cal = PROXY_PROFILES["istio-1.24"]!;
  it("is the profile's figure for the benchmark's own request (1 KB each way, mTLS, no extra filters)", () => {
    expect(requestCpuMs(cal, { requestBytes: 1024, responseBytes: 1024, mtls: true })).toBeCloseTo(0.2, 12);
  });
  it("grows with the bytes beyond 1 KiB and with each filter, and drops without mTLS", () => {
    const big = requestCpuMs(cal, { requestBytes: 1024, responseBytes: 101 * 1024, mtls: true });
    expect(big).toBeCloseTo(0.2 + 100 * cal.cpuPerKiBMs, 12);
    const filtered = requestCpuMs(cal, { requestBytes: 1024, responseBytes: 1024, mtls: true, filters: { jwt: true, rbac: true } });
    expect(filtered).toBeCloseTo(0.2 + cal.filterCpuMs.jwt + cal.filterCpuMs.rbac, 12);
    expect(requestCpuMs(cal, { requestBytes: 1024, responseBytes: 1024, mtls: false })).toBeCloseTo(0.2 * cal.plaintextFactor, 12);
  });
});
