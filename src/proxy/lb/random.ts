// RANDOM: uniform over the chosen hosts; endpoint weights are not used.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#random
import { BaseLoadBalancer } from "./load-balancer.js";

export class RandomLoadBalancer extends BaseLoadBalancer {
  readonly policy = "RANDOM" as const;

  protected choose(source: number, count: number): number {
    return this.set.at(source, Math.floor(this.source() * count));
  }
}
