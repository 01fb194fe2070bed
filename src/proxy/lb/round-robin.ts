// ROUND_ROBIN. Equal weights and no host in slow start: cycle through the chosen hosts. Envoy keeps
// one position per host list (rr_indexes_, keyed by HostsSource: a priority's healthy hosts, all its
// hosts in panic, a locality's healthy hosts), each starting at the balancer's one random seed_, and
// one balancer per worker thread (envoyproxy/envoy
// source/extensions/load_balancing_policies/round_robin/round_robin_lb.h, refreshHostSource /
// unweightedHostPick; seed_ in source/common/upstream/load_balancer_impl.cc). Otherwise Envoy's EDF
// scheduler — smooth weighted round robin, weights scaled by slow start.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-round-robin
import { EdfSchedulers, type EdfWeights } from "./edf-scheduler.js";
import type { HostSet } from "./host-set.js";
import { BaseLoadBalancer, type PickContext, type UniformSource } from "./load-balancer.js";
import { NO_SLOW_START, type SlowStart } from "./slow-start.js";

export class RoundRobinLoadBalancer extends BaseLoadBalancer implements EdfWeights {
  readonly policy = "ROUND_ROBIN" as const;
  /** Where each host list's next pick starts (by source; unset: at the seed). */
  private readonly positions: number[] = [];
  private readonly seed: number;
  private readonly edf: EdfSchedulers;

  constructor(set: HostSet, source: UniformSource, panicThresholdPercent = 50, private readonly slowStart: SlowStart = NO_SLOW_START) {
    super(set, source, panicThresholdPercent);
    this.seed = Math.floor(source() * 2 ** 32);
    // Envoy's one seed_ both starts the positions and pre-picks the EDF (EdfLoadBalancerBase).
    this.edf = new EdfSchedulers(set, this, () => this.seed);
  }

  edfWeight(h: number, now: number): number {
    return this.set.weights[h]! * this.slowStart.factor(this.set, h, now);
  }

  protected choose(source: number, count: number, ctx: PickContext | undefined): number {
    const set = this.set;
    const now = ctx?.now;
    if (this.edf.inUse(source, count, this.slowStart.active(set, now))) return this.edf.pick(source, count, now ?? 0);
    const i = this.positions[source] ?? this.seed;
    this.positions[source] = i + 1;
    return set.at(source, i % count);
  }
}
