// fast-check arbitraries for load balancing and resilience: upstream hosts (weights, localities,
// labels), subsets, connection-pool settings, outlier detection settings, and traces of outcomes.
// Import them to write your own properties against meshsim's balancers and state machines.
import fc from "fast-check";
import type { ConnectionPoolSettings, OutlierDetection } from "../proxy/api/networking.js";
import type { LbHost } from "../proxy/lb/host.js";

export const REGIONS = ["us-east", "us-west", "eu"] as const;
export const ZONES = ["a", "b"] as const;
export const VERSIONS = ["v1", "v2", "v3"] as const;

/** A deterministic uniform [0,1) source (mulberry32) for balancers under test. */
export function seededSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const localityArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...REGIONS), fc.constantFrom(...ZONES), fc.constantFrom("1", "2"))
  .map(([r, z, s]) => `${r}/${r}-${z}/${s}`);

/** `n` hosts with distinct ids ("10.0.0.i:8080"), given weights, optional locality, a version label. */
export function hostsArb(opts: { minLength?: number; maxLength?: number; weighted?: boolean; withLocality?: boolean } = {}): fc.Arbitrary<LbHost[]> {
  const one = fc.record({
    weight: opts.weighted === true ? fc.integer({ min: 1, max: 10 }) : fc.constant(1),
    locality: opts.withLocality === true ? localityArb : fc.constant(undefined),
    version: fc.constantFrom(...VERSIONS),
  });
  return fc.array(one, { minLength: opts.minLength ?? 1, maxLength: opts.maxLength ?? 12 }).map((xs) =>
    xs.map((x, i) => {
      const h: LbHost = { id: `10.0.${i >> 8}.${i & 255}:8080`, weight: x.weight, labels: { app: "svc", version: x.version } };
      if (x.locality !== undefined) h.locality = x.locality;
      return h;
    }),
  );
}

/** A subset selector over the version label (or everything). */
export const subsetLabelsArb: fc.Arbitrary<Record<string, string>> = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...VERSIONS).map((v) => ({ version: v })),
  fc.constantFrom(...VERSIONS).map((v) => ({ app: "svc", version: v })),
);

export const simpleLbArb = fc.constantFrom("ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "LEAST_CONN", "UNSPECIFIED") as fc.Arbitrary<
  "ROUND_ROBIN" | "LEAST_REQUEST" | "RANDOM" | "LEAST_CONN" | "UNSPECIFIED"
>;

/** Small connection-pool limits, so that they trip. */
export const connectionPoolArb: fc.Arbitrary<ConnectionPoolSettings> = fc.record({
  tcp: fc.record({ maxConnections: fc.integer({ min: 1, max: 4 }) }),
  http: fc.record({
    http1MaxPendingRequests: fc.integer({ min: 1, max: 4 }),
    http2MaxRequests: fc.integer({ min: 1, max: 8 }),
    maxRequestsPerConnection: fc.constantFrom(0, 1, 2),
  }),
});

export const outlierDetectionArb: fc.Arbitrary<OutlierDetection> = fc.record({
  consecutive5xxErrors: fc.integer({ min: 1, max: 5 }),
  intervalMs: fc.constantFrom(1000, 5000, 10_000),
  baseEjectionTimeMs: fc.constantFrom(1000, 7000, 30_000),
  maxEjectionPercent: fc.constantFrom(10, 34, 50, 100),
});

/** One step of a connection-pool trace: a new request, a connect outcome, a request completing. */
export type PoolStep =
  | { op: "request"; host: number }
  | { op: "connect"; host: number; ok: boolean }
  | { op: "done"; host: number; reset: boolean }
  | { op: "cancel"; host: number };

export function poolStepsArb(hosts: number): fc.Arbitrary<PoolStep[]> {
  const host = fc.integer({ min: 0, max: hosts - 1 });
  const step: fc.Arbitrary<PoolStep> = fc.oneof(
    { weight: 4, arbitrary: host.map((h) => ({ op: "request" as const, host: h })) },
    { weight: 3, arbitrary: fc.tuple(host, fc.integer({ min: 0, max: 9 })).map(([h, r]) => ({ op: "connect" as const, host: h, ok: r > 0 })) },
    { weight: 3, arbitrary: fc.tuple(host, fc.integer({ min: 0, max: 9 })).map(([h, r]) => ({ op: "done" as const, host: h, reset: r === 0 })) },
    { weight: 1, arbitrary: host.map((h) => ({ op: "cancel" as const, host: h })) },
  );
  return fc.array(step, { maxLength: 120 });
}

/** A host's attempt outcome as the outlier detector hears it. */
export type OutcomeStep = { host: number; status: number; dt: number };

export function outcomeStepsArb(hosts: number): fc.Arbitrary<OutcomeStep[]> {
  return fc.array(
    fc.record({
      host: fc.integer({ min: 0, max: hosts - 1 }),
      status: fc.constantFrom(200, 200, 500, 503, 503, 503, 504),
      dt: fc.integer({ min: 0, max: 3000 }),
    }),
    { maxLength: 200 },
  );
}
