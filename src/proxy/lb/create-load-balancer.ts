// The balancer for a DestinationRule's `loadBalancer` settings, with Istio's defaults: unset or
// UNSPECIFIED is LEAST_REQUEST (since Istio 1.14); LEAST_CONN is its deprecated alias;
// consistentHash is RING_HASH unless `maglev` is given; `warmup` (or warmupDurationSecs) turns on
// slow start (ROUND_ROBIN and LEAST_REQUEST only), with its aggression and minimum weight.
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
import type { LoadBalancerSettings } from "../api/networking.js";
import type { HostSet } from "./host-set.js";
import { LeastRequestLoadBalancer } from "./least-request.js";
import type { LoadBalancer, UniformSource } from "./load-balancer.js";
import { DEFAULT_MAGLEV_TABLE_SIZE, MaglevLoadBalancer } from "./maglev.js";
import { PassthroughLoadBalancer } from "./passthrough.js";
import { RandomLoadBalancer } from "./random.js";
import { DEFAULT_MIN_RING_SIZE, RingHashLoadBalancer } from "./ring-hash.js";
import { RoundRobinLoadBalancer } from "./round-robin.js";
import { NO_SLOW_START, SlowStart } from "./slow-start.js";

/**
 * @param panicThresholdPercent Envoy healthy_panic_threshold: use istioPanicThresholdPercent(policy.outlierDetection).
 */
export function createLoadBalancer(
  settings: LoadBalancerSettings | undefined,
  set: HostSet,
  source: UniformSource,
  panicThresholdPercent = 50,
): LoadBalancer {
  const ch = settings?.consistentHash;
  if (ch !== undefined) {
    if (ch.maglev !== undefined) return new MaglevLoadBalancer(set, source, panicThresholdPercent, ch.maglev.tableSize ?? DEFAULT_MAGLEV_TABLE_SIZE);
    const ring = ch.ringHash?.minimumRingSize ?? ch.minimumRingSize ?? DEFAULT_MIN_RING_SIZE;
    return new RingHashLoadBalancer(set, source, panicThresholdPercent, ring);
  }
  const warmup = settings?.warmupDurationSecs;
  const slowStart = warmup !== undefined && warmup > 0
    ? new SlowStart(warmup * 1000, settings?.warmupAggression ?? 1, settings?.warmupMinimumPercent ?? 10)
    : NO_SLOW_START;
  switch (settings?.simple) {
    case "ROUND_ROBIN":
      return new RoundRobinLoadBalancer(set, source, panicThresholdPercent, slowStart);
    case "RANDOM":
      return new RandomLoadBalancer(set, source, panicThresholdPercent);
    case "PASSTHROUGH":
      return new PassthroughLoadBalancer(set);
    default: // UNSPECIFIED, LEAST_REQUEST, LEAST_CONN
      return new LeastRequestLoadBalancer(set, source, panicThresholdPercent, slowStart);
  }
}

/**
 * Does createLoadBalancer draw from `source` when it makes the balancer? ROUND_ROBIN does (its
 * start index: round-robin.ts), even over no host. A caller that no longer makes a balancer for an
 * empty host set uses this to make the same draw, so that the stream's later draws do not shift.
 */
export function drawsWhenCreated(settings: LoadBalancerSettings | undefined): boolean {
  return settings?.consistentHash === undefined && settings?.simple === "ROUND_ROBIN";
}
