// A cluster without a connectionPool gets Istio's default limits as one shared object per protocol
// (src/proxy/pool-limits.ts poolLimits; docs/performance.md, Goal 4, session 22). The shared object
// must be what the computation gives for "nothing set": istiod writes 2^32-1 thresholds, the mesh's
// 10 s connect timeout and 1 h idle timeout when a DestinationRule sets no connectionPool
// (istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go applyConnectionPool,
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings).
import { describe, expect, it } from "vitest";
import { ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS, newClusterCounters, poolLimits } from "../../../src/proxy/pool-limits.js";
import { UpstreamPool } from "../../../src/proxy/upstream-pool.js";

describe("default pool limits, shared", () => {
  for (const http2 of [false, true]) {
    it(`are one object for every cluster without a connectionPool (http2 ${http2})`, () => {
      expect(poolLimits(undefined, http2)).toBe(poolLimits(undefined, http2));
      expect(poolLimits(undefined, http2)).not.toBe(poolLimits(undefined, !http2));
    });

    it(`equal, field by field and in order, the limits computed from an empty connectionPool (http2 ${http2})`, () => {
      const shared = poolLimits(undefined, http2);
      const computed = poolLimits({}, http2);
      expect(computed).not.toBe(shared);
      expect(Object.entries(shared)).toEqual(Object.entries(computed));
      expect(shared.http2).toBe(http2);
      expect(shared.maxConcurrentStreams).toBe(http2 ? ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS : 1);
      expect(shared.idleTimeoutMs).toBe(3_600_000);
      expect(shared.maxConnectionDurationMs).toBe(Infinity);
    });
  }

  it("are not written by the pools that share them", () => {
    const shared = poolLimits(undefined, false);
    const before = { ...shared };
    const a = new UpstreamPool<string>(shared, newClusterCounters());
    const b = new UpstreamPool<string>(shared, newClusterCounters());
    for (const [p, name] of [[a, "r"], [b, "s"]] as const) {
      for (let i = 0; i < 5; i++) {
        p.newStream(i % 2, `${name}${i}`, i);
        if (p.conn !== null) p.connected(p.conn, i + 0.5);
      }
    }
    expect(a.counters.upstream_cx_total).toBeGreaterThan(0);
    expect(shared).toEqual(before);
  });
});
