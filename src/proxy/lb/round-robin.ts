// ROUND_ROBIN: cycle through the candidates from a random start (each Envoy worker starts elsewhere);
// with unequal weights, smooth weighted round robin (the proportions of Envoy's EDF scheduler).
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-round-robin
import type { HostSet } from "./host-set.js";
import { BaseLoadBalancer, type UniformSource } from "./load-balancer.js";

export class RoundRobinLoadBalancer extends BaseLoadBalancer {
  private next: number;
  private readonly current: Float64Array;

  constructor(set: HostSet, source: UniformSource, panicThresholdPercent: number) {
    super(set, source, panicThresholdPercent);
    this.next = Math.floor(source() * Math.max(1, set.size));
    this.current = new Float64Array(set.size);
  }

  protected choose(count: number, panic: boolean): number {
    const set = this.set;
    if (set.equalWeights) return this.candidate(this.next++ % count, panic);
    let total = 0;
    let best = -1;
    for (let k = 0; k < count; k++) {
      const h = this.candidate(k, panic);
      this.current[h]! += set.weights[h]!;
      total += set.weights[h]!;
      if (best < 0 || this.current[h]! > this.current[best]!) best = h;
    }
    this.current[best]! -= total;
    return best;
  }
}
