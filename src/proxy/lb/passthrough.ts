// PASSTHROUGH: Istio builds an ORIGINAL_DST cluster (lb_policy CLUSTER_PROVIDED) — no balancing,
// the connection goes to the address the application dialled. pick() returns ctx.originalHost
// (NO_HOST when absent). Health, panic and retry predicates do not apply.
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-SimpleLB
import type { HostSet } from "./host-set.js";
import { NO_HOST, type LoadBalancer, type PickContext } from "./load-balancer.js";

export class PassthroughLoadBalancer implements LoadBalancer {
  readonly policy = "PASSTHROUGH" as const;

  constructor(private readonly set: HostSet) {}

  pick(ctx?: PickContext): number {
    const h = ctx?.originalHost;
    return h !== undefined && h >= 0 && h < this.set.size ? h : NO_HOST;
  }
}
