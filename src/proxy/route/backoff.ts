// Envoy's retry back-off as its source computes it (JitteredExponentialBackOffStrategy::nextBackOffMs,
// source/common/common/backoff_strategy.cc, used by the router since Envoy 1.14): the interval starts
// at base and doubles after each retry while it is below max/2, else becomes max; the wait is
// `random() % interval`. So before retry N (1-based) the wait is uniform in [0, min(base·2^(N−1), max))
// whole ms: 0–24, 0–49, 0–99, 0–199, then 0–249 ms with Envoy's defaults (base 25 ms, max 10·base,
// source/common/router/retry_state_impl.cc).
// https://github.com/envoyproxy/envoy/blob/main/source/common/common/backoff_strategy.cc
// Envoy's documentation still gives the older JitteredBackOffStrategy's range [0, (2^N − 1)·base)
// (0–24, 0–74, 0–174 ms); meshsim models the running code. Both are written down in
// docs/docs-vs-source.md.
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-max-retries
import type { RetryPolicy } from "./retry-policy.js";

/** Back-off before retry `retryNumber` (1 = first retry), in whole ms like Envoy; `u` uniform in [0,1). */
export function backoffMs(policy: Pick<RetryPolicy, "backoffBaseMs" | "backoffMaxMs">, retryNumber: number, u: number): number {
  return jitteredBackoffMs(policy.backoffBaseMs, policy.backoffMaxMs, retryNumber, u);
}

/** The interval (exclusive upper bound of the wait) before retry `retryNumber`, in whole ms. */
export function backoffIntervalMs(baseMs: number, maxMs: number, retryNumber: number): number {
  // Envoy keeps intervals as integer milliseconds; a base below 1 ms is rounded up to 1 ms.
  const base = Math.max(1, Math.floor(baseMs));
  const max = Math.max(base, Math.floor(maxMs));
  // `doubling_limit_ = max_interval_ / 2u` (integer division).
  const doublingLimit = Math.floor(max / 2);
  let interval = base;
  for (let n = 1; n < retryNumber && interval < max; n++) interval = interval < doublingLimit ? interval * 2 : max;
  return interval;
}

export function jitteredBackoffMs(baseMs: number, maxMs: number, retryNumber: number, u: number): number {
  return Math.floor(u * backoffIntervalMs(baseMs, maxMs, retryNumber));
}
