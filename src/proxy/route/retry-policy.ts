// The Envoy retry policy istiod writes for a route, and Envoy's decision whether an attempt's
// outcome is retried. istio/istio pilot/pkg/networking/core/route/retry/retry.go (ConvertPolicy);
// envoy source/common/router/retry_state_impl.cc (wouldRetryFromHeaders / wouldRetryFromReset);
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on
import type { HTTPRetry, HTTPRoute } from "../api/networking.js";
import { istioCompat, type IstioCompat } from "./istio-compat.js";

export const RETRY_ON_5XX = 1 << 0;
export const RETRY_ON_GATEWAY_ERROR = 1 << 1;
export const RETRY_ON_RESET = 1 << 2;
export const RETRY_ON_RESET_BEFORE_REQUEST = 1 << 3;
export const RETRY_ON_CONNECT_FAILURE = 1 << 4;
export const RETRY_ON_REFUSED_STREAM = 1 << 5;
export const RETRY_ON_RETRIABLE_4XX = 1 << 6;
export const RETRY_ON_RETRIABLE_STATUS_CODES = 1 << 7;
export const RETRY_ON_RETRIABLE_HEADERS = 1 << 8;
export const RETRY_ON_ENVOY_RATELIMITED = 1 << 9;
export const RETRY_ON_GRPC_CANCELLED = 1 << 10;
export const RETRY_ON_GRPC_DEADLINE_EXCEEDED = 1 << 11;
export const RETRY_ON_GRPC_INTERNAL = 1 << 12;
export const RETRY_ON_GRPC_RESOURCE_EXHAUSTED = 1 << 13;
export const RETRY_ON_GRPC_UNAVAILABLE = 1 << 14;
export const RETRY_ON_HTTP3_POST_CONNECT_FAILURE = 1 << 15;

const RETRY_ON_TOKENS: Readonly<Record<string, number>> = {
  "5xx": RETRY_ON_5XX,
  "gateway-error": RETRY_ON_GATEWAY_ERROR,
  reset: RETRY_ON_RESET,
  "reset-before-request": RETRY_ON_RESET_BEFORE_REQUEST,
  "connect-failure": RETRY_ON_CONNECT_FAILURE,
  "refused-stream": RETRY_ON_REFUSED_STREAM,
  "retriable-4xx": RETRY_ON_RETRIABLE_4XX,
  "retriable-status-codes": RETRY_ON_RETRIABLE_STATUS_CODES,
  "retriable-headers": RETRY_ON_RETRIABLE_HEADERS,
  "envoy-ratelimited": RETRY_ON_ENVOY_RATELIMITED,
  cancelled: RETRY_ON_GRPC_CANCELLED,
  "deadline-exceeded": RETRY_ON_GRPC_DEADLINE_EXCEEDED,
  internal: RETRY_ON_GRPC_INTERNAL,
  "resource-exhausted": RETRY_ON_GRPC_RESOURCE_EXHAUSTED,
  unavailable: RETRY_ON_GRPC_UNAVAILABLE,
  "http3-post-connect-failure": RETRY_ON_HTTP3_POST_CONNECT_FAILURE,
};

/** Istio's default retryOn (retry.go defaultPolicy). */
export const ISTIO_DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
/** Envoy's default base back-off interval; max is 10× base. */
export const DEFAULT_BACKOFF_BASE_MS = 25;

/** Envoy RouteAction.RetryPolicy as istiod generates it. */
export interface RetryPolicy {
  /** num_retries: retries after the first try. */
  readonly numRetries: number;
  /** retry_on as written to Envoy. */
  readonly retryOn: string;
  readonly retryOnMask: number;
  readonly retriableStatusCodes: readonly number[];
  readonly perTryTimeoutMs: number | undefined;
  /** retry_host_predicate envoy.retry_host_predicates.previous_hosts. */
  readonly previousHostsPredicate: boolean;
  readonly hostSelectionRetryMaxAttempts: number;
  /** retry_priority envoy.retry_priorities.previous_priorities (retryRemoteLocalities). */
  readonly previousPriorities: boolean;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export interface RetryPolicyOptions {
  /** The destination uses consistent hashing: istiod omits the previous_hosts predicate (1.23+). */
  consistentHash?: boolean;
  /** MeshConfig defaultHttpRetryPolicy, used when the route has no `retries`. */
  meshDefault?: HTTPRetry;
  compat?: Partial<IstioCompat>;
}

// Go's net/http StatusText table: istiod moves only integers that are known status codes.
const KNOWN_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
  424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

export function parseRetryOnMask(retryOn: string): number {
  let mask = 0;
  for (const raw of retryOn.split(",")) {
    const bit = RETRY_ON_TOKENS[raw.trim()];
    if (bit !== undefined) mask |= bit; // unknown tokens are ignored (Istio validation rejects them)
  }
  return mask;
}

// Every field written out, in one literal: V8 gives objects made by spreading (`{ ...p, x }`) a
// hidden class of their own each, so with one policy per route of every proxy (1,000 services:
// ≈ 1,000 classes) each read of a policy field in the router was a megamorphic lookup that missed
// V8's stub cache (docs/performance.md, "Goal 4"). One literal: one hidden class for all policies.
function makePolicy(p: Omit<RetryPolicy, "retryOnMask">): RetryPolicy {
  return Object.freeze({
    numRetries: p.numRetries,
    retryOn: p.retryOn,
    retriableStatusCodes: p.retriableStatusCodes,
    perTryTimeoutMs: p.perTryTimeoutMs,
    previousHostsPredicate: p.previousHostsPredicate,
    hostSelectionRetryMaxAttempts: p.hostSelectionRetryMaxAttempts,
    previousPriorities: p.previousPriorities,
    backoffBaseMs: p.backoffBaseMs,
    backoffMaxMs: p.backoffMaxMs,
    retryOnMask: parseRetryOnMask(p.retryOn),
  });
}

/**
 * istiod's default policy depends only on whether the destination hashes consistently and on the
 * 503 compatibility switch: the four are made once and shared (frozen) by every route that uses one,
 * rather than made, parsed and frozen again for each virtual host of each proxy — work that 1,000
 * proxies made hot enough for TurboFan to compile (docs/performance.md, Goal 4, session 18).
 */
const defaultPolicies: (RetryPolicy | undefined)[] = [undefined, undefined, undefined, undefined];
// Plain arrays, not frozen: a frozen array has another elements kind, and the router reads these and
// the arrays of converted policies at the same sites.
const NO_CODES: readonly number[] = [];
const CODE_503: readonly number[] = [503];

function defaultPolicy(opts: RetryPolicyOptions): RetryPolicy {
  const exclude503 = istioCompat(opts.compat).excludeUnsafe503FromDefaultRetry;
  const previousHosts = opts.consistentHash !== true;
  const key = (exclude503 ? 2 : 0) + (previousHosts ? 1 : 0);
  return defaultPolicies[key] ??= makePolicy({
    numRetries: 2,
    retryOn: ISTIO_DEFAULT_RETRY_ON,
    retriableStatusCodes: exclude503 ? NO_CODES : CODE_503,
    perTryTimeoutMs: undefined,
    previousHostsPredicate: previousHosts,
    hostSelectionRetryMaxAttempts: 5,
    previousPriorities: false,
    backoffBaseMs: DEFAULT_BACKOFF_BASE_MS,
    backoffMaxMs: 10 * DEFAULT_BACKOFF_BASE_MS,
  });
}

/** The policy istiod writes for an HTTPRetry (undefined = route has none ⇒ default). undefined result ⇒ no retries. */
export function convertRetryPolicy(retries: HTTPRetry | undefined, opts: RetryPolicyOptions = {}): RetryPolicy | undefined {
  const base = defaultPolicy(opts);
  if (retries === undefined) return base;
  if (!(retries.attempts > 0)) return undefined; // attempts <= 0 disables retries
  let retryOn = base.retryOn;
  let codes: readonly number[] = base.retriableStatusCodes;
  if (retries.retryOn !== undefined && retries.retryOn !== "") {
    const tokens: string[] = [];
    const parsed: number[] = [];
    for (const raw of retries.retryOn.split(",")) {
      const part = raw.trim();
      if (part === "") continue;
      const n = /^[+-]?\d+$/.test(part) ? Number(part) : NaN;
      if (KNOWN_STATUS.has(n)) parsed.push(n);
      else tokens.push(part);
    }
    retryOn = tokens.join(",");
    codes = parsed;
    if (parsed.length > 0 && !retryOn.includes("retriable-status-codes")) {
      retryOn = retryOn === "" ? "retriable-status-codes" : `${retryOn},retriable-status-codes`;
    }
  }
  const backoffBaseMs = retries.backoffMs !== undefined && retries.backoffMs > 0 ? retries.backoffMs : base.backoffBaseMs;
  return makePolicy({
    numRetries: Math.floor(retries.attempts),
    retryOn,
    retriableStatusCodes: codes,
    perTryTimeoutMs: retries.perTryTimeoutMs !== undefined && retries.perTryTimeoutMs > 0 ? retries.perTryTimeoutMs : undefined,
    previousHostsPredicate: retries.retryIgnorePreviousHosts !== undefined ? retries.retryIgnorePreviousHosts : base.previousHostsPredicate,
    hostSelectionRetryMaxAttempts: base.hostSelectionRetryMaxAttempts,
    previousPriorities: retries.retryRemoteLocalities === true,
    backoffBaseMs,
    backoffMaxMs: 10 * backoffBaseMs,
  });
}

/**
 * The retry policy istiod writes on a sidecar's default inbound route (the one route of each inbound
 * HTTP port, to `inbound|<port>||`, the local app): `reset-before-request`, 2 retries, Envoy's default
 * back-off (25 ms base, 250 ms max), no host predicate (the cluster has one host), no per-try timeout;
 * none on a gRPC port ("reset-before-request does not work well for gRPC streaming services").
 * Istio ≥ 1.24 (1.23 behind ENABLE_INBOUND_RETRY_POLICY); not configurable in any release (a MeshConfig
 * `defaultInboundHttpRetryPolicy` exists only on istio master, `ConvertInboundPolicy`).
 * istio/istio pilot/pkg/networking/core/route/route.go (BuildDefaultHTTPInboundRoute)
 */
export function inboundRetryPolicy(grpc: boolean): RetryPolicy | undefined {
  return grpc ? undefined : INBOUND_RETRY_POLICY;
}

const INBOUND_RETRY_POLICY: RetryPolicy = makePolicy({
  numRetries: 2,
  retryOn: "reset-before-request",
  retriableStatusCodes: [],
  perTryTimeoutMs: undefined,
  previousHostsPredicate: false,
  hostSelectionRetryMaxAttempts: 1,
  previousPriorities: false,
  backoffBaseMs: DEFAULT_BACKOFF_BASE_MS,
  backoffMaxMs: 10 * DEFAULT_BACKOFF_BASE_MS,
});

/** Retry policy for a VirtualService rule: its `retries`, else the mesh default, else Istio's default. */
export function retryPolicyFor(route: HTTPRoute, opts: RetryPolicyOptions = {}): RetryPolicy | undefined {
  return convertRetryPolicy(route.retries ?? opts.meshDefault, opts);
}

/** What happened to one upstream attempt (or to the request as a whole). */
export type AttemptOutcome =
  /** Upstream answered with headers. grpcStatus: grpc-status in the response *headers* (trailers-only). */
  | { readonly kind: "response"; readonly status: number; readonly grpcStatus?: number; readonly envoyRateLimited?: boolean; readonly envoyOverloaded?: boolean }
  /** TCP/TLS connect failed or timed out (UF). */
  | { readonly kind: "connect-failure" }
  /** Upstream reset / closed before response headers (UC / UR). `beforeRequest`: nothing had been sent yet. */
  | { readonly kind: "reset"; readonly beforeRequest?: boolean }
  /** HTTP/2 REFUSED_STREAM. */
  | { readonly kind: "refused-stream" }
  /** This try's per_try_timeout fired. */
  | { readonly kind: "per-try-timeout" }
  /** Local circuit breaker overflow (UO): Envoy never retries a reset of reason "overflow". */
  | { readonly kind: "overflow" }
  /** The route timeout fired (UT): covers all tries, never retried. */
  | { readonly kind: "route-timeout" }
  /** A fault-filter abort: a local reply before the router, no attempt, never retried. */
  | { readonly kind: "fault-abort" };

export const OUTCOME_CONNECT_FAILURE: AttemptOutcome = Object.freeze({ kind: "connect-failure" });
export const OUTCOME_RESET: AttemptOutcome = Object.freeze({ kind: "reset" });
export const OUTCOME_RESET_BEFORE_REQUEST: AttemptOutcome = Object.freeze({ kind: "reset", beforeRequest: true });
export const OUTCOME_REFUSED_STREAM: AttemptOutcome = Object.freeze({ kind: "refused-stream" });
export const OUTCOME_PER_TRY_TIMEOUT: AttemptOutcome = Object.freeze({ kind: "per-try-timeout" });
export const OUTCOME_OVERFLOW: AttemptOutcome = Object.freeze({ kind: "overflow" });
export const OUTCOME_ROUTE_TIMEOUT: AttemptOutcome = Object.freeze({ kind: "route-timeout" });
export const OUTCOME_FAULT_ABORT: AttemptOutcome = Object.freeze({ kind: "fault-abort" });
/** An upstream Envoy's local 503 for a tripped circuit breaker (it carries x-envoy-overloaded: true). */
export const OUTCOME_OVERLOADED_503: AttemptOutcome = Object.freeze({ kind: "response", status: 503, envoyOverloaded: true });

const ANY_RESET = RETRY_ON_5XX | RETRY_ON_GATEWAY_ERROR | RETRY_ON_RESET;

function retriableResponse(p: RetryPolicy, status: number, grpcStatus: number | undefined, rateLimited: boolean): boolean {
  const on = p.retryOnMask;
  // An upstream Envoy's rate-limit response is retried only under envoy-ratelimited.
  if (rateLimited) return (on & RETRY_ON_ENVOY_RATELIMITED) !== 0;
  if ((on & RETRY_ON_5XX) !== 0 && status >= 500 && status < 600) return true;
  if ((on & RETRY_ON_GATEWAY_ERROR) !== 0 && status >= 502 && status <= 504) return true;
  if ((on & RETRY_ON_RETRIABLE_4XX) !== 0 && status === 409) return true;
  if ((on & RETRY_ON_RETRIABLE_STATUS_CODES) !== 0) {
    const codes = p.retriableStatusCodes;
    for (let i = 0; i < codes.length; i++) if (codes[i] === status) return true;
  }
  if (grpcStatus !== undefined) {
    if (grpcStatus === 1 && (on & RETRY_ON_GRPC_CANCELLED) !== 0) return true;
    if (grpcStatus === 4 && (on & RETRY_ON_GRPC_DEADLINE_EXCEEDED) !== 0) return true;
    if (grpcStatus === 8 && (on & RETRY_ON_GRPC_RESOURCE_EXHAUSTED) !== 0) return true;
    if (grpcStatus === 13 && (on & RETRY_ON_GRPC_INTERNAL) !== 0) return true;
    if (grpcStatus === 14 && (on & RETRY_ON_GRPC_UNAVAILABLE) !== 0) return true;
  }
  return false;
}

/** Would the policy's retry_on conditions retry this outcome (ignoring how many retries are left)? */
export function isRetriable(policy: RetryPolicy | undefined, outcome: AttemptOutcome): boolean {
  if (policy === undefined) return false;
  const on = policy.retryOnMask;
  switch (outcome.kind) {
    case "response":
      // An answer with x-envoy-overloaded (an upstream Envoy's circuit breaker refused it) is never
      // retried: envoyproxy/envoy source/common/router/retry_policy_impl.cc (wouldRetryFromHeaders).
      if (outcome.envoyOverloaded === true) return false;
      return retriableResponse(policy, outcome.status, outcome.grpcStatus, outcome.envoyRateLimited === true);
    case "connect-failure":
      return (on & (ANY_RESET | RETRY_ON_CONNECT_FAILURE | RETRY_ON_RESET_BEFORE_REQUEST)) !== 0;
    case "refused-stream":
      return (on & (ANY_RESET | RETRY_ON_REFUSED_STREAM)) !== 0;
    case "reset":
      return (on & ANY_RESET) !== 0 || (outcome.beforeRequest === true && (on & RETRY_ON_RESET_BEFORE_REQUEST) !== 0);
    case "per-try-timeout":
      // Envoy treats it as a local reset of a started request.
      return (on & ANY_RESET) !== 0;
    default:
      return false; // overflow, route timeout, fault abort
  }
}

/**
 * "retry": try again (the caller still needs a token from the cluster's max_retries breaker, else
 * UO); "limit-exceeded": retriable but num_retries used up (flag URX, return this result);
 * "no-retry": not retriable.
 */
export type RetryDecision = "retry" | "no-retry" | "limit-exceeded";

export function shouldRetry(policy: RetryPolicy | undefined, outcome: AttemptOutcome, retriesSoFar = 0): RetryDecision {
  return retryDecision(policy, isRetriable(policy, outcome), retriesSoFar);
}

/** shouldRetry once whether retry_on takes the outcome is known (`isRetriable`; the sidecar's router
 *  remembers it per route). */
export function retryDecision(policy: RetryPolicy | undefined, retriable: boolean, retriesSoFar: number): RetryDecision {
  if (!retriable) return "no-retry";
  return retriesSoFar < (policy as RetryPolicy).numRetries ? "retry" : "limit-exceeded";
}
