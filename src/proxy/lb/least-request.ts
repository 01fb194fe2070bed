// LEAST_REQUEST, Istio's default since 1.14. Equal weights: power of two choices — draw
// choice_count (2) hosts at random with replacement and keep the one with fewer active requests
// (the first drawn on a tie). Unequal weights: Envoy schedules by weight / (active + 1)^bias (bias 1);
// meshsim draws a host with probability proportional to that dynamic weight instead of Envoy's EDF
// schedule (same proportions, not the same sequence).
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-least-request
import { BaseLoadBalancer } from "./load-balancer.js";

export const LEAST_REQUEST_CHOICE_COUNT = 2;

export class LeastRequestLoadBalancer extends BaseLoadBalancer {
  protected choose(count: number, panic: boolean): number {
    const set = this.set;
    if (set.equalWeights) {
      let best = this.candidate(Math.floor(this.source() * count), panic);
      for (let c = 1; c < LEAST_REQUEST_CHOICE_COUNT; c++) {
        const h = this.candidate(Math.floor(this.source() * count), panic);
        if (set.active[h]! < set.active[best]!) best = h;
      }
      return best;
    }
    let total = 0;
    for (let k = 0; k < count; k++) {
      const h = this.candidate(k, panic);
      total += set.weights[h]! / (set.active[h]! + 1);
    }
    let r = this.source() * total;
    for (let k = 0; k < count; k++) {
      const h = this.candidate(k, panic);
      r -= set.weights[h]! / (set.active[h]! + 1);
      if (r < 0) return h;
    }
    return this.candidate(count - 1, panic);
  }
}
