import { describe, expect, it } from "vitest";
import { backoffIntervalMs, backoffMs } from "../../../src/proxy/route/backoff.js";
import {
  convertRetryPolicy, isRetriable, OUTCOME_CONNECT_FAILURE, OUTCOME_FAULT_ABORT, OUTCOME_OVERFLOW,
  OUTCOME_PER_TRY_TIMEOUT, OUTCOME_REFUSED_STREAM, OUTCOME_RESET, OUTCOME_RESET_BEFORE_REQUEST,
  OUTCOME_ROUTE_TIMEOUT, retryPolicyFor, shouldRetry, type RetryPolicy,
} from "../../../src/proxy/route/retry-policy.js";
import { hiddenClasses } from "../../support/hidden-class.js";

const resp = (status: number, grpcStatus?: number) => ({ kind: "response" as const, status, grpcStatus });
const policy = (retryOn: string, attempts = 3): RetryPolicy => convertRetryPolicy({ attempts, retryOn }) as RetryPolicy;

describe("retryPolicyFor", () => {
  it("is Istio's default when the route has no retries (≥1.24: no retriable status codes)", () => {
    const p = retryPolicyFor({}) as RetryPolicy;
    expect(p.numRetries).toBe(2);
    expect(p.retryOn).toBe("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes");
    expect(p.retriableStatusCodes).toEqual([]);
    expect(p.previousHostsPredicate).toBe(true);
    expect(p.hostSelectionRetryMaxAttempts).toBe(5);
    expect(p.perTryTimeoutMs).toBeUndefined();
    expect(p.backoffBaseMs).toBe(25);
    expect(p.backoffMaxMs).toBe(250);
    expect(shouldRetry(p, resp(503))).toBe("no-retry");
  });
  it("retries 503 by default only in the ≤1.23 compat mode", () => {
    const old = retryPolicyFor({}, { compat: { excludeUnsafe503FromDefaultRetry: false } }) as RetryPolicy;
    expect(old.retriableStatusCodes).toEqual([503]);
    expect(shouldRetry(old, resp(503))).toBe("retry");
  });
  it("drops previous_hosts for consistent-hash destinations", () => {
    expect(retryPolicyFor({}, { consistentHash: true })?.previousHostsPredicate).toBe(false);
  });
  it("uses the mesh default when the route has none", () => {
    expect(retryPolicyFor({}, { meshDefault: { attempts: 7 } })?.numRetries).toBe(7);
  });
  it("attempts <= 0 disables retries", () => {
    expect(convertRetryPolicy({ attempts: 0 })).toBeUndefined();
    expect(convertRetryPolicy({ attempts: -1, retryOn: "5xx" })).toBeUndefined();
    expect(shouldRetry(undefined, OUTCOME_CONNECT_FAILURE)).toBe("no-retry");
  });
  it("moves integer codes from retryOn to retriable status codes and adds retriable-status-codes", () => {
    const p = policy("503,reset,429");
    expect(p.retryOn).toBe("reset,retriable-status-codes");
    expect(p.retriableStatusCodes).toEqual([503, 429]);
    expect(policy("gateway-error,retriable-status-codes,503").retryOn).toBe("gateway-error,retriable-status-codes");
    expect(policy("599,5xx").retriableStatusCodes).toEqual([]); // not a known status text
  });
  it("keeps the default retryOn when the user gives attempts only; takes perTryTimeout, backoff, flags", () => {
    const p = convertRetryPolicy({ attempts: 4, perTryTimeoutMs: 200, backoffMs: 100, retryIgnorePreviousHosts: false, retryRemoteLocalities: true }) as RetryPolicy;
    expect(p.retryOn).toBe("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes");
    expect(p.numRetries).toBe(4);
    expect(p.perTryTimeoutMs).toBe(200);
    expect(p.backoffBaseMs).toBe(100);
    expect(p.backoffMaxMs).toBe(1000);
    expect(p.previousHostsPredicate).toBe(false);
    expect(p.previousPriorities).toBe(true);
  });
  // istiod's default depends only on consistent hashing and the 503 compat switch
  // (pilot/pkg/networking/core/route/retry/retry.go DefaultPolicy, ConvertPolicy): each of the four is
  // one shared frozen object, not one per route of every proxy (docs/performance.md, Goal 4, session 18).
  it("shares one default policy per (consistent hash, 503 switch), and converted policies do not touch it", () => {
    const opts = [{}, { consistentHash: true }, { compat: { excludeUnsafe503FromDefaultRetry: false } }, { consistentHash: true, compat: { excludeUnsafe503FromDefaultRetry: false } }];
    const defaults = opts.map((o) => convertRetryPolicy(undefined, o) as RetryPolicy);
    opts.forEach((o, i) => expect(convertRetryPolicy(undefined, o)).toBe(defaults[i]));
    expect(new Set(defaults).size).toBe(4);
    expect(defaults.map((d) => [d.previousHostsPredicate, d.retriableStatusCodes])).toEqual([[true, []], [false, []], [true, [503]], [false, [503]]]);
    expect(defaults.every((d) => Object.isFrozen(d))).toBe(true);
    const converted = convertRetryPolicy({ attempts: 3, retryOn: "503" }, opts[2]) as RetryPolicy;
    expect(converted.retriableStatusCodes).toEqual([503]);
    expect(convertRetryPolicy(undefined, opts[2])).toBe(defaults[2]);
    expect(defaults[2]!.numRetries).toBe(2);
  });
});

describe("shouldRetry (Envoy retry_on semantics)", () => {
  it("5xx: any 5xx and any reset/connect failure/refused stream/per-try timeout", () => {
    const p = policy("5xx");
    for (const o of [resp(500), resp(503), resp(599), OUTCOME_CONNECT_FAILURE, OUTCOME_RESET, OUTCOME_REFUSED_STREAM, OUTCOME_PER_TRY_TIMEOUT]) {
      expect(isRetriable(p, o)).toBe(true);
    }
    expect(isRetriable(p, resp(404))).toBe(false);
    expect(isRetriable(p, resp(200))).toBe(false);
  });
  it("gateway-error: 502/503/504 (and resets), not 500", () => {
    const p = policy("gateway-error");
    expect([500, 502, 503, 504].map((s) => isRetriable(p, resp(s)))).toEqual([false, true, true, true]);
    expect(isRetriable(p, OUTCOME_PER_TRY_TIMEOUT)).toBe(true);
  });
  it("connect-failure retries only connect failures; refused-stream only REFUSED_STREAM", () => {
    const cf = policy("connect-failure");
    expect([OUTCOME_CONNECT_FAILURE, OUTCOME_RESET, OUTCOME_REFUSED_STREAM, OUTCOME_PER_TRY_TIMEOUT, resp(503)].map((o) => isRetriable(cf, o)))
      .toEqual([true, false, false, false, false]);
    const rs = policy("refused-stream");
    expect([OUTCOME_CONNECT_FAILURE, OUTCOME_REFUSED_STREAM, OUTCOME_RESET].map((o) => isRetriable(rs, o))).toEqual([false, true, false]);
  });
  it("reset retries resets and per-try timeouts but not a 503 response", () => {
    const p = policy("reset");
    expect(isRetriable(p, OUTCOME_RESET)).toBe(true);
    expect(isRetriable(p, resp(503))).toBe(false);
  });
  it("reset-before-request retries only what never reached the upstream", () => {
    const p = policy("reset-before-request");
    expect(isRetriable(p, OUTCOME_RESET_BEFORE_REQUEST)).toBe(true);
    expect(isRetriable(p, OUTCOME_CONNECT_FAILURE)).toBe(true);
    expect(isRetriable(p, OUTCOME_RESET)).toBe(false);
    expect(isRetriable(p, OUTCOME_PER_TRY_TIMEOUT)).toBe(false);
  });
  it("per-try timeouts are not retried by Istio's default retryOn", () => {
    expect(isRetriable(retryPolicyFor({}), OUTCOME_PER_TRY_TIMEOUT)).toBe(false);
  });
  it("retriable-4xx is 409 only", () => {
    const p = policy("retriable-4xx");
    expect([409, 429, 400].map((s) => isRetriable(p, resp(s)))).toEqual([true, false, false]);
  });
  it("gRPC conditions read grpc-status from the response headers", () => {
    const p = policy("unavailable,cancelled,deadline-exceeded,internal,resource-exhausted");
    expect([14, 1, 4, 13, 8, 2].map((g) => isRetriable(p, resp(200, g)))).toEqual([true, true, true, true, true, false]);
    expect(isRetriable(policy("unavailable"), resp(200, 1))).toBe(false);
  });
  it("an upstream rate-limited response is retried only with envoy-ratelimited", () => {
    const limited = { kind: "response" as const, status: 429, envoyRateLimited: true };
    expect(isRetriable(policy("retriable-status-codes,429"), limited)).toBe(false);
    expect(isRetriable(policy("envoy-ratelimited"), limited)).toBe(true);
  });
  it("never retries overflow, route timeout or a fault abort", () => {
    const p = policy("5xx,gateway-error,reset,connect-failure,refused-stream,reset-before-request,retriable-status-codes,503");
    for (const o of [OUTCOME_OVERFLOW, OUTCOME_ROUTE_TIMEOUT, OUTCOME_FAULT_ABORT]) expect(shouldRetry(p, o, 0)).toBe("no-retry");
  });
  it("limit-exceeded (URX) once num_retries is used up", () => {
    const p = policy("5xx", 2);
    expect(shouldRetry(p, resp(503), 0)).toBe("retry");
    expect(shouldRetry(p, resp(503), 1)).toBe("retry");
    expect(shouldRetry(p, resp(503), 2)).toBe("limit-exceeded");
    expect(shouldRetry(p, resp(200), 2)).toBe("no-retry");
  });
});

describe("backoffMs", () => {
  // Envoy's source, not its docs: JitteredExponentialBackOffStrategy::nextBackOffMs
  // (envoyproxy/envoy source/common/common/backoff_strategy.cc) returns random() % interval with the
  // interval 25, 50, 100, 200, then 250 ms (doubling while below max/2, then max). The documented
  // [0, (2^N−1)·25) (0–74 ms for the 2nd retry, 0–174 ms for the 3rd) is the pre-1.14 strategy.
  const p = retryPolicyFor({}) as RetryPolicy;
  it("draws from [0, min(25·2^(N−1), 250)) ms: 0–24, 0–49, 0–99, 0–199, then 0–249", () => {
    expect(backoffMs(p, 1, 0)).toBe(0);
    expect(backoffMs(p, 1, 0.999999)).toBe(24);
    expect(backoffMs(p, 2, 0.999999)).toBe(49);
    expect(backoffMs(p, 3, 0.999999)).toBe(99);
    expect(backoffMs(p, 4, 0.999999)).toBe(199);
    expect(backoffMs(p, 5, 0.999999)).toBe(249);
    expect(backoffMs(p, 5, 0.5)).toBe(125); // the range is capped at 250, not the draw
    expect(backoffMs(p, 50, 0.999999)).toBe(249);
  });
  it("follows Envoy's doubling limit (max/2, integer division) for a base that does not divide max evenly", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffIntervalMs(30, 300, n))).toEqual([30, 60, 120, 240, 300, 300]);
    expect([1, 2, 3, 4].map((n) => backoffIntervalMs(7, 15, n))).toEqual([7, 15, 15, 15]); // 7 is not below 15/2u = 7
    expect([1, 2, 3].map((n) => backoffIntervalMs(0.2, 2, n))).toEqual([1, 2, 2]);
  });
  it("scales with the backoff field", () => {
    const q = convertRetryPolicy({ attempts: 3, backoffMs: 100 }) as RetryPolicy;
    expect(backoffMs(q, 2, 0.5)).toBe(100);
    expect(backoffMs(q, 4, 0.5)).toBe(400);
    expect(backoffMs(q, 9, 0.99)).toBe(990);
  });
});

describe("retry policies' hidden class", () => {
  // The router reads a policy's fields on every try: with one class per policy (objects made by
  // spreading), a 1,000-service mesh made those reads megamorphic (docs/performance.md, Goal 4).
  it("is one for every policy, whatever its fields' values", () => {
    const policies: RetryPolicy[] = [];
    for (let i = 0; i < 200; i++) {
      policies.push(retryPolicyFor({}) as RetryPolicy);
      policies.push(convertRetryPolicy({ attempts: 1 + (i % 5), retryOn: i % 2 === 0 ? "5xx" : "503,reset", perTryTimeoutMs: i % 3 === 0 ? 100 + i : undefined }) as RetryPolicy);
      policies.push(retryPolicyFor({}, { consistentHash: true }) as RetryPolicy);
    }
    expect(hiddenClasses(policies)).toBe(1);
  });
});
