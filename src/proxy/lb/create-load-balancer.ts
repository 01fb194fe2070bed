// The balancer for a DestinationRule's `loadBalancer` settings, with Istio's defaults: unset (or
// UNSPECIFIED) is LEAST_REQUEST since Istio 1.14; LEAST_CONN is its deprecated alias.
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-SimpleLB
import type { LoadBalancerSettings } from "../api/networking.js";
import type { HostSet } from "./host-set.js";
import { LeastRequestLoadBalancer } from "./least-request.js";
import type { LoadBalancer, UniformSource } from "./load-balancer.js";
import { RandomLoadBalancer } from "./random.js";
import { RoundRobinLoadBalancer } from "./round-robin.js";

export function createLoadBalancer(
  settings: LoadBalancerSettings | undefined,
  set: HostSet,
  source: UniformSource,
  panicThresholdPercent: number,
): LoadBalancer {
  switch (settings?.simple) {
    case "ROUND_ROBIN":
      return new RoundRobinLoadBalancer(set, source, panicThresholdPercent);
    case "RANDOM":
      return new RandomLoadBalancer(set, source, panicThresholdPercent);
    default:
      // UNSPECIFIED, LEAST_REQUEST, LEAST_CONN; PASSTHROUGH and consistent hash are not modelled yet
      // and fall back to Istio's default.
      return new LeastRequestLoadBalancer(set, source, panicThresholdPercent);
  }
}
