// ROUND_ROBIN. Equal weights and no host in slow start: cycle through the chosen hosts from a
// random start index (each Envoy LB instance starts elsewhere). Otherwise Envoy's EDF scheduler —
// smooth weighted round robin, weights scaled by slow start.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-round-robin
import { EdfSchedulers, type EdfWeights } from "./edf-scheduler.js";
import type { HostSet } from "./host-set.js";
import { BaseLoadBalancer, type PickContext, type UniformSource } from "./load-balancer.js";
import { NO_SLOW_START, type SlowStart } from "./slow-start.js";

export class RoundRobinLoadBalancer extends BaseLoadBalancer implements EdfWeights {
  readonly policy = "ROUND_ROBIN" as const;
  private rr: number;
  private readonly edf: EdfSchedulers;

  constructor(set: HostSet, source: UniformSource, panicThresholdPercent = 50, private readonly slowStart: SlowStart = NO_SLOW_START) {
    super(set, source, panicThresholdPercent);
    this.rr = Math.floor(source() * Math.max(1, set.size));
    this.edf = new EdfSchedulers(set, this, source);
  }

  edfWeight(h: number, now: number): number {
    return this.set.weights[h]! * this.slowStart.factor(this.set, h, now);
  }

  protected choose(source: number, count: number, ctx: PickContext | undefined): number {
    const set = this.set;
    const now = ctx?.now;
    if (this.edf.inUse(!set.equalWeights || this.slowStart.active(set, now))) return this.edf.pick(source, count, now ?? 0);
    return set.at(source, this.rr++ % count);
  }
}
