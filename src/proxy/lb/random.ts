// RANDOM: uniform over the candidates; endpoint weights are not used.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#random
import { BaseLoadBalancer } from "./load-balancer.js";

export class RandomLoadBalancer extends BaseLoadBalancer {
  protected choose(count: number, panic: boolean): number {
    return this.candidate(Math.floor(this.source() * count), panic);
  }
}
