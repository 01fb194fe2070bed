// RANDOM: uniform over the chosen hosts; endpoint weights are not used.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#random
// Envoy draws one 64-bit random() per pick and uses it twice: `hash % 100 + 1` chooses the priority
// (LoadBalancerBase::choosePriority, through hostSourceToUse) and `hash % hosts.size()` the host of
// the chosen list (envoyproxy/envoy source/extensions/load_balancing_policies/random/random_lb.cc
// RandomLoadBalancer::peekOrChoose). So the host is not independent of the priority: a priority with
// 1 % of the load takes only hashes ending in 99, and with two hosts always the second one.
import { BaseLoadBalancer, type PickContext, type UniformSource } from "./load-balancer.js";

/**
 * Envoy's random() as a 32-bit integer: the simulator's streams (alea) and the tests' give 32 bits
 * per draw, so scaling to 2^52 would leave the low bits zero and `% 2` always 0; 32 bits are plenty
 * for `% 100` and `% hosts`.
 */
const draw = (source: UniformSource): number => Math.floor(source() * 4294967296);

export class RandomLoadBalancer extends BaseLoadBalancer {
  readonly policy = "RANDOM" as const;
  /** The hash this attempt's priority choice drew (-1: none; the host then draws it). */
  private drawn = -1;

  protected override beginPick(_ctx: PickContext | undefined): void {
    this.drawn = -1;
  }

  /** Only with several priorities: the attempt's one draw, kept for the host. */
  protected override priorityDraw(): number {
    this.drawn = draw(this.source);
    return (this.drawn % 100) + 1;
  }

  protected choose(source: number, count: number): number {
    const h = this.drawn >= 0 ? this.drawn : draw(this.source);
    this.drawn = -1;
    return this.set.at(source, h % count);
  }
}
