// Envoy's fully jittered exponential retry back-off, as documented: before retry N (1-based) wait
// uniform [0, (2^N − 1)·base) ms, the range capped at max (default 10·base): past the cap every wait
// is uniform in [0, max), as in Envoy's source (`random() % min(interval, max)`), never max itself.
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-max-retries
// (JitteredBackOffStrategy). Note: recent Envoy source (JitteredExponentialBackOffStrategy) draws
// from [0, base·2^(N−1)) instead; meshsim follows the documented formula.
import type { RetryPolicy } from "./retry-policy.js";

/** Back-off before retry `retryNumber` (1 = first retry), in whole ms like Envoy; `u` uniform in [0,1). */
export function backoffMs(policy: Pick<RetryPolicy, "backoffBaseMs" | "backoffMaxMs">, retryNumber: number, u: number): number {
  return jitteredBackoffMs(policy.backoffBaseMs, policy.backoffMaxMs, retryNumber, u);
}

export function jitteredBackoffMs(baseMs: number, maxMs: number, retryNumber: number, u: number): number {
  const base = Math.max(1, baseMs);
  let range = base;
  // Grow (2^n − 1)·base while the previous range was within max (Envoy stops incrementing then).
  for (let n = 2; n <= retryNumber && range <= maxMs; n++) range = (2 ** n - 1) * base;
  return Math.floor(u * Math.min(range, maxMs));
}
