// Properties of route actions: weighted picks, retries, back-off, faults, mirrors, header operations.
import fc from "fast-check";
import { describe, it } from "vitest";
import type { HTTPRoute } from "../../src/proxy/api/networking.js";
import { backoffMs } from "../../src/proxy/route/backoff.js";
import { compileHttpRoutes, DEFAULT_SIDECAR, type CompiledRoute } from "../../src/proxy/route/compile-routes.js";
import { decideFault, NO_FAULT } from "../../src/proxy/route/fault-injection.js";
import { applyHeaderOps, compileHeaderOps } from "../../src/proxy/route/header-operations.js";
import { mirrorSelected } from "../../src/proxy/route/mirror.js";
import {
  convertRetryPolicy, OUTCOME_CONNECT_FAILURE, OUTCOME_FAULT_ABORT, OUTCOME_OVERFLOW, OUTCOME_PER_TRY_TIMEOUT,
  OUTCOME_REFUSED_STREAM, OUTCOME_RESET, OUTCOME_ROUTE_TIMEOUT, shouldRetry, type AttemptOutcome,
} from "../../src/proxy/route/retry-policy.js";
import { pickDestination } from "../../src/proxy/route/weighted-destination.js";
import { httpRetryArb } from "./arbitraries/routing.js";

const SEED = 20240611;

/** mulberry32: a tiny seeded uniform source for the statistical properties. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function compileRule(rule: HTTPRoute): CompiledRoute {
  return compileHttpRoutes([rule], "default", DEFAULT_SIDECAR, 80)[0] as CompiledRoute;
}

const outcomeArb: fc.Arbitrary<AttemptOutcome> = fc.oneof(
  fc.record({ kind: fc.constant("response" as const), status: fc.constantFrom(200, 404, 409, 429, 500, 502, 503, 504), grpcStatus: fc.option(fc.constantFrom(1, 4, 8, 13, 14), { nil: undefined }) }),
  fc.constantFrom(OUTCOME_CONNECT_FAILURE, OUTCOME_RESET, OUTCOME_REFUSED_STREAM, OUTCOME_PER_TRY_TIMEOUT, OUTCOME_OVERFLOW),
);

describe("weighted destinations", () => {
  it("weighted picks converge to their weights (20 000 draws, fixed seed, |error| < 0.02)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 5 }), fc.integer(), (weights, s) => {
      const route = compileRule({ route: weights.map((w, i) => ({ destination: { host: "h", subset: `v${i}` }, weight: w })) });
      const u = uniform(s);
      const counts = new Map<string, number>();
      const N = 20_000;
      for (let i = 0; i < N; i++) {
        const d = pickDestination(route, u());
        counts.set(d!.subset!, (counts.get(d!.subset!) ?? 0) + 1);
      }
      const total = weights.reduce((a, b) => a + b, 0);
      return weights.every((w, i) => Math.abs((counts.get(`v${i}`) ?? 0) / N - w / total) < 0.02);
    }), { numRuns: 15, seed: SEED });
  });

  it("a weight-0 destination never gets traffic when others exist; a lone one gets all of it", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (weights, u) => {
      fc.pre(weights.length === 1 || weights.some((w) => w > 0));
      const route = compileRule({ route: weights.map((w, i) => ({ destination: { host: "h", subset: `v${i}` }, weight: w })) });
      const d = pickDestination(route, u);
      if (weights.length === 1) return d?.subset === "v0";
      return d !== undefined && (weights[Number(d.subset!.slice(1))] as number) > 0;
    }));
  });
});

describe("retries", () => {
  it("retries never exceed attempts, and running out is reported as limit-exceeded (URX)", () => {
    fc.assert(fc.property(httpRetryArb, fc.array(outcomeArb, { minLength: 1, maxLength: 12 }), (retry, outcomes) => {
      const policy = convertRetryPolicy(retry);
      const max = retry.attempts > 0 ? retry.attempts : 0;
      let retries = 0;
      for (const o of outcomes) {
        const decision = shouldRetry(policy, o, retries);
        if (decision === "retry") retries++;
        else {
          if (decision === "limit-exceeded" && retries !== max) return false;
          break;
        }
      }
      return retries <= max;
    }));
  });

  it("a fault-injected abort is never retried", () => {
    fc.assert(fc.property(fc.option(httpRetryArb, { nil: undefined }), fc.nat(10), (retry, n) =>
      shouldRetry(convertRetryPolicy(retry), OUTCOME_FAULT_ABORT, n) === "no-retry"));
  });

  it("a route timeout or a circuit-breaker overflow is never retried", () => {
    fc.assert(fc.property(fc.option(httpRetryArb, { nil: undefined }), fc.nat(10), (retry, n) => {
      const p = convertRetryPolicy(retry);
      return shouldRetry(p, OUTCOME_ROUTE_TIMEOUT, n) === "no-retry" && shouldRetry(p, OUTCOME_OVERFLOW, n) === "no-retry";
    }));
  });

  it("a successful response is never retried unless its status was listed", () => {
    fc.assert(fc.property(httpRetryArb, (retry) =>
      shouldRetry(convertRetryPolicy(retry), { kind: "response", status: 200 }, 0) === "no-retry"));
  });
});

describe("back-off", () => {
  // Envoy's JitteredExponentialBackOffStrategy (source/common/common/backoff_strategy.cc).
  it("back-off never exceeds 10× the base interval, and stays within [0, min(base·2^(N−1), 10·base))", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (base, n, u) => {
      const policy = convertRetryPolicy({ attempts: 3, backoffMs: base })!;
      const b = backoffMs(policy, n, u);
      return b >= 0 && b < 10 * base && b < Math.min(2 ** (n - 1) * base, 10 * base) && Number.isInteger(b);
    }));
  });

  it("the back-off range never shrinks as retries go on", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (base, n, u) => {
      const policy = convertRetryPolicy({ attempts: 3, backoffMs: base })!;
      return backoffMs(policy, n + 1, u) >= backoffMs(policy, n, u);
    }));
  });
});

describe("fault injection", () => {
  it("a fault with no percentage never fires", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 400, max: 599 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (delay, status, u1, u2) => decideFault({ delay: { fixedDelayMs: delay }, abort: { httpStatus: status } }, u1, u2) === NO_FAULT));
  });

  it("a 100 % abort always fires, and an abort carries FI and its status", () => {
    fc.assert(fc.property(fc.integer({ min: 400, max: 599 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (status, u) => {
      const d = decideFault({ abort: { httpStatus: status, percentage: { value: 100 } } }, u, u);
      return d.aborted && d.httpStatus === status && d.flags !== 0;
    }));
  });

  it("fault decisions converge to their percentages (20 000 draws, fixed seed, |error| < 0.02)", () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), fc.integer(), (pd, pa, s) => {
      const f = { delay: { fixedDelayMs: 5, percentage: { value: pd } }, abort: { httpStatus: 503, percentage: { value: pa } } };
      const u = uniform(s);
      let delayed = 0, aborted = 0;
      const N = 20_000;
      for (let i = 0; i < N; i++) {
        const d = decideFault(f, u(), u());
        if (d.delayed) delayed++;
        if (d.aborted) aborted++;
      }
      return Math.abs(delayed / N - pd / 100) < 0.02 && Math.abs(aborted / N - pa / 100) < 0.02;
    }), { numRuns: 15, seed: SEED });
  });
});

describe("mirroring", () => {
  it("a mirror without percentage mirrors every request; an explicit 0 % mirrors none", () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u) => {
      const all = compileRule({ route: [{ destination: { host: "a" } }], mirror: { host: "b" } });
      const none = compileRule({ route: [{ destination: { host: "a" } }], mirror: { host: "b" }, mirrorPercentage: { value: 0 } });
      return all.mirrors.length === 1 && mirrorSelected(all.mirrors[0]!, u) && none.mirrors.length === 0;
    }));
  });
});

describe("header operations", () => {
  it("applying header operations never mutates the input and allocates only when there is something to do", () => {
    const kv = fc.dictionary(fc.constantFrom("a", "b", "c", ":path", "host"), fc.constantFrom("1", "2"), { maxKeys: 3 });
    fc.assert(fc.property(kv, kv, fc.subarray(["a", "b", "c", "host"]), kv, (set, add, remove, headers) => {
      const before = JSON.stringify(headers);
      const ops = compileHeaderOps({ set, add, remove });
      const out = applyHeaderOps(ops, headers);
      const removedKeys = remove.filter((k) => k !== "host");
      const setKeys = Object.keys(set).filter((k) => !k.startsWith(":") && k !== "host");
      return JSON.stringify(headers) === before
        && (ops === undefined ? out === headers : out !== headers)
        && setKeys.every((k) => out[k] !== undefined && out[k]!.startsWith(set[k]!))
        && removedKeys.every((k) => k in set || k in add || out[k] === undefined);
    }));
  });
});
