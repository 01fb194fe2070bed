// Circuit-breaker, connection-pool and outlier-detection invariants, stated as properties.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConnectionPoolSettings } from "../../src/proxy/api/networking.js";
import { newClusterCounters, poolLimits, type PoolLimits } from "../../src/proxy/pool-limits.js";
import { ATTACHED, PENDING, UpstreamPool, type PoolConnection } from "../../src/proxy/upstream-pool.js";
import { OutlierDetector, istioOutlierConfig } from "../../src/proxy/outlier-detector.js";
import type { AttemptOutcome } from "../../src/proxy/route/retry-policy.js";
import { connectionPoolArb, outcomeStepsArb, outlierDetectionArb, poolStepsArb, type PoolStep } from "./arbitraries/lb.js";

const HOSTS = 3;

/**
 * Drive one worker's pool (UpstreamPool, as the simulation uses it) through `steps` for `hosts` hosts,
 * playing the simulated world's part, and check `check` after each step.
 */
function runPools(cp: ConnectionPoolSettings, hosts: number, protocol: "http1" | "http2", steps: PoolStep[], check: (limits: PoolLimits, pool: UpstreamPool<number>, onConns: PoolConnection[][]) => void): void {
  const limits = poolLimits(cp, protocol === "http2");
  const pool = new UpstreamPool<number>(limits, newClusterCounters());
  const connecting: PoolConnection[][] = Array.from({ length: hosts }, () => []);
  const onConn: PoolConnection[][] = Array.from({ length: hosts }, () => []); // one entry per attached request
  const pendingReqs: number[][] = Array.from({ length: hosts }, () => []);
  const attach = (h: number, reqs: readonly number[], c: PoolConnection): void => {
    for (const r of reqs) {
      onConn[h]!.push(c);
      pendingReqs[h] = pendingReqs[h]!.filter((x) => x !== r);
    }
  };
  const opened = (h: number): void => {
    if (pool.conn !== null) connecting[h]!.push(pool.conn);
  };
  let next = 0;
  for (const s of steps) {
    const h = s.host;
    if (s.op === "request") {
      const req = next++;
      const r = pool.newStream(h, req);
      if (r === ATTACHED) onConn[h]!.push(pool.conn!);
      else if (r === PENDING) {
        pendingReqs[h]!.push(req);
        opened(h);
      }
    } else if (s.op === "connect") {
      const c = connecting[h]!.shift();
      if (c !== undefined) {
        if (s.ok) attach(h, pool.connected(c), c);
        else for (const r of pool.connectFailed(c)) pendingReqs[h] = pendingReqs[h]!.filter((x) => x !== r);
      }
    } else if (s.op === "done") {
      const c = onConn[h]!.shift();
      if (c !== undefined) {
        attach(h, pool.streamDone(c, s.reset), c);
        opened(h);
      }
    } else {
      const req = pendingReqs[h]!.shift();
      if (req !== undefined) pool.cancelPending(h, req);
    }
    check(limits, pool, onConn);
  }
}

describe("connection pool and circuit breakers", () => {
  it("active connections never exceed max_connections plus the one-per-host allowance", () => {
    fc.assert(
      fc.property(connectionPoolArb, fc.constantFrom<"http1" | "http2">("http1", "http2"), poolStepsArb(HOSTS), (cp0, protocol, steps) => {
        // Plenty of pending room, so that extra connections would have requests to open them for.
        const cp = { ...cp0, http: { ...cp0.http, http1MaxPendingRequests: 50 } };
        runPools(cp, HOSTS, protocol, steps, (limits, pool) => {
          expect(pool.counters.upstream_cx_active).toBeLessThanOrEqual(limits.maxConnections + HOSTS);
        });
      }),
    );
  });

  it("pending requests never exceed http1MaxPendingRequests", () => {
    fc.assert(
      fc.property(connectionPoolArb, fc.constantFrom<"http1" | "http2">("http1", "http2"), poolStepsArb(HOSTS), (cp, protocol, steps) => {
        runPools(cp, HOSTS, protocol, steps, (limits, pool) => {
          expect(pool.counters.upstream_rq_pending_active).toBeLessThanOrEqual(limits.maxPendingRequests);
          expect(pool.counters.upstream_rq_pending_active).toBeGreaterThanOrEqual(0);
        });
      }),
    );
  });

  it("active requests never exceed http2MaxRequests, and an HTTP/1.1 connection carries one request at a time", () => {
    fc.assert(
      fc.property(connectionPoolArb, poolStepsArb(HOSTS), (cp, steps) => {
        runPools(cp, HOSTS, "http1", steps, (limits, pool, onConns) => {
          expect(pool.counters.upstream_rq_active).toBeLessThanOrEqual(limits.maxRequests);
          for (const list of onConns) {
            const ids = list.map((c) => c.id);
            expect(new Set(ids).size).toBe(ids.length);
            for (const c of list) expect(c.streams).toBe(1);
          }
        });
      }),
    );
  });
});

const outcome = (status: number): AttemptOutcome => ({ kind: "response", status });

describe("outlier detection", () => {
  it("ejected hosts never exceed maxEjectionPercent of the cluster", () => {
    fc.assert(
      fc.property(outlierDetectionArb, fc.integer({ min: 1, max: 12 }), fc.nat(), (od, n, seed) => {
        const steps = fc.sample(outcomeStepsArb(n), { seed, numRuns: 1 })[0]!;
        const d = new OutlierDetector(istioOutlierConfig(od), n, 0);
        let now = 0;
        for (const s of steps) {
          now += s.dt;
          while (d.nextSweepAt <= now) d.sweep(d.nextSweepAt);
          d.reportResult(s.host, outcome(s.status), now);
          let ejected = 0;
          for (let h = 0; h < n; h++) if (d.isEjected(h)) ejected++;
          expect((100 * ejected) / n).toBeLessThanOrEqual(istioOutlierConfig(od).maxEjectionPercent);
        }
      }),
    );
  });

  it("an ejected host returns only at a sweep, and only after its ejection time", () => {
    fc.assert(
      fc.property(outlierDetectionArb, fc.integer({ min: 1, max: 6 }), fc.nat(), (od, n, seed) => {
        const cfg = { ...istioOutlierConfig(od), maxEjectionPercent: 100 };
        const steps = fc.sample(outcomeStepsArb(n), { seed, numRuns: 1 })[0]!;
        const d = new OutlierDetector(cfg, n, 0);
        const sweeps = new Set<number>();
        let now = 0;
        for (const s of steps) {
          now += s.dt;
          while (d.nextSweepAt <= now) {
            sweeps.add(d.nextSweepAt);
            d.sweep(d.nextSweepAt);
          }
          d.reportResult(s.host, outcome(s.status), now);
        }
        const ejectedAt = new Map<number, { time: number; duration: number }>();
        for (const e of d.events) {
          if (e.action === "eject") ejectedAt.set(e.host, { time: e.time, duration: e.durationMs! });
          else {
            const from = ejectedAt.get(e.host)!;
            expect(sweeps.has(e.time)).toBe(true);
            expect(e.time - from.time).toBeGreaterThanOrEqual(from.duration);
            expect(e.time - from.time).toBeLessThan(from.duration + cfg.intervalMs);
          }
        }
      }),
    );
  });

  it("the k-th consecutive ejection lasts k times the base (until the cap)", () => {
    fc.assert(
      fc.property(fc.constantFrom(1000, 3000, 10_000), fc.constantFrom(1000, 7000, 30_000), fc.integer({ min: 1, max: 14 }), (interval, base, k) => {
        const cfg = istioOutlierConfig({ consecutive5xxErrors: 1, intervalMs: interval, baseEjectionTimeMs: base, maxEjectionPercent: 100 });
        const d = new OutlierDetector(cfg, 1, 0);
        let now = 0;
        for (let i = 1; i <= k; i++) {
          d.reportResult(0, outcome(500), now); // fails again as soon as it is back: no full healthy interval
          expect(d.events.at(-1)).toMatchObject({ action: "eject", durationMs: Math.min(i * base, cfg.maxEjectionTimeMs) });
          while (d.sweep((now = d.nextSweepAt)).length === 0);
        }
      }),
    );
  });

  it("overflow never ejects a host: the same trace with circuit-breaker overflows interleaved ejects exactly the same hosts at the same times", () => {
    fc.assert(
      fc.property(outlierDetectionArb, fc.integer({ min: 1, max: 12 }), fc.nat(), fc.array(fc.nat({ max: 199 }), { maxLength: 60 }), (od, n, seed, overflowAt) => {
        const steps = fc.sample(outcomeStepsArb(n), { seed, numRuns: 1 })[0]!;
        const run = (withOverflow: boolean) => {
          const d = new OutlierDetector(istioOutlierConfig(od), n, 0);
          let now = 0;
          steps.forEach((s, i) => {
            now += s.dt;
            while (d.nextSweepAt <= now) d.sweep(d.nextSweepAt);
            if (withOverflow && overflowAt.includes(i)) for (let r = 0; r < 10; r++) d.reportResult(s.host, { kind: "overflow" }, now);
            d.reportResult(s.host, outcome(s.status), now);
          });
          return d.events;
        };
        expect(run(true)).toEqual(run(false));
      }),
    );
  });
});

describe("connection lifetime", () => {
  /** One worker's HTTP/1.1 or HTTP/2 pool for one host, driven with time; returns each reuse's idle time. */
  const lifetimeSteps = fc.array(
    fc.record({ op: fc.constantFrom("request", "request", "connect", "done", "done"), dt: fc.integer({ min: 0, max: 4000 }) }),
    { maxLength: 150 },
  );

  it("a connection idle for idleTimeout or longer is never reused, and one older than maxConnectionDuration never takes a new request", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 500, 1000, 3000), fc.constantFrom(0, 2000, 10_000), fc.boolean(), lifetimeSteps,
        (idleS, durationMs, http2, steps) => {
          const limits = poolLimits({ http: { idleTimeoutMs: idleS }, tcp: { maxConnectionDurationMs: durationMs } }, http2);
          const pool = new UpstreamPool<number>(limits, newClusterCounters());
          const connecting: PoolConnection[] = [];
          const running: PoolConnection[] = [];
          /** When each connection last had no request (as this harness saw it), and when it came up. */
          const freeSince = new Map<number, number>();
          const upAt = new Map<number, number>();
          let now = 0;
          let next = 0;
          const started = (c: PoolConnection, reqs: number) => {
            if (reqs === 0) return;
            const since = freeSince.get(c.id);
            // A request that attaches to a connection with nothing on it is a reuse after an idle spell.
            if (since !== undefined && c.streams === reqs) expect(now - since).toBeLessThan(limits.idleTimeoutMs);
            expect(now - upAt.get(c.id)!).toBeLessThan(limits.maxConnectionDurationMs);
            freeSince.delete(c.id);
            for (let k = 0; k < reqs; k++) running.push(c);
          };
          for (const s of steps) {
            now += s.dt;
            if (s.op === "request") {
              const r = pool.newStream(0, next++, now);
              if (r === ATTACHED) started(pool.conn!, 1);
              else if (r === PENDING && pool.conn !== null) connecting.push(pool.conn);
            } else if (s.op === "connect") {
              const c = connecting.shift();
              if (c !== undefined) {
                upAt.set(c.id, now);
                started(c, pool.connected(c, now).length);
                if (c.streams === 0) freeSince.set(c.id, now);
              }
            } else {
              const c = running.shift();
              if (c !== undefined) {
                const reqs = pool.streamDone(c, false, now).length;
                if (c.streams === reqs && c.state !== "closed") freeSince.set(c.id, now);
                if (reqs > 0) { freeSince.delete(c.id); for (let k = 0; k < reqs; k++) running.push(c); }
                if (pool.conn !== null) connecting.push(pool.conn);
              }
            }
          }
        },
      ),
    );
  });
});
