// LEAST_REQUEST, Istio's default since 1.14. Equal weights and no slow start: Envoy's N_CHOICES —
// draw choice_count (2) hosts uniformly *with replacement* and keep the first unless a later draw
// has strictly fewer active requests. Otherwise an EDF schedule whose weight is
// weight·slowStart / (active + 1)^bias (bias 1.0), computed when a host is (re)inserted. Which of the
// two runs is decided when the hosts or their health change (EdfSchedulers.inUse).
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-least-request
// envoyproxy/envoy source/extensions/load_balancing_policies/least_request/least_request_lb.cc
import { EdfSchedulers, type EdfWeights } from "./edf-scheduler.js";
import type { HostSet } from "./host-set.js";
import { BaseLoadBalancer, type PickContext, type UniformSource } from "./load-balancer.js";
import { NO_SLOW_START, type SlowStart } from "./slow-start.js";

export const LEAST_REQUEST_CHOICE_COUNT = 2;
export const ACTIVE_REQUEST_BIAS = 1;

export class LeastRequestLoadBalancer extends BaseLoadBalancer implements EdfWeights {
  readonly policy = "LEAST_REQUEST" as const;
  private readonly edf: EdfSchedulers;

  constructor(
    set: HostSet,
    source: UniformSource,
    panicThresholdPercent = 50,
    private readonly slowStart: SlowStart = NO_SLOW_START,
    private readonly choiceCount = LEAST_REQUEST_CHOICE_COUNT,
    private readonly bias = ACTIVE_REQUEST_BIAS,
  ) {
    super(set, source, panicThresholdPercent);
    // Envoy draws seed_ when it makes the balancer; drawn at the first EDF here, so that balancers
    // that never need one (equal weights, no slow start) leave the random stream as it was.
    this.edf = new EdfSchedulers(set, this, () => Math.floor(source() * 2 ** 32));
    this.skip = source.skip;
  }

  /** The stream's skip, when it can owe draws (owed-draws.ts); undefined: every draw is made. */
  private readonly skip: ((n: number) => void) | undefined;

  edfWeight(h: number, now: number): number {
    const set = this.set;
    const a = set.active[h]! + 1;
    const w = this.bias === 1 ? set.weights[h]! / a : this.bias === 0 ? set.weights[h]! : set.weights[h]! / Math.pow(a, this.bias);
    return w * this.slowStart.factor(set, h, now);
  }

  protected choose(source: number, count: number, ctx: PickContext | undefined): number {
    const set = this.set;
    // The clock read only where a slow start can use it: `ctx?.now` is a double or undefined, and
    // such a value made a HeapNumber at every pick (V8's sampling heap profile: one 16-byte object
    // per `choose`; docs/performance.md, Goal 3, session 23 `inb10`).
    const slow = this.slowStart;
    if (this.edf.inUse(source, count, slow.windowMs > 0 && slow.active(set, ctx?.now))) return this.edf.pick(source, count, ctx?.now ?? 0);
    // One host: every choice is it (floor(u * 1) = 0), so the draws' values cannot matter; owed,
    // not drawn, where the stream allows it (owed-draws.ts), and drawn as before where not.
    const skip = this.skip;
    if (count === 1 && skip !== undefined) {
      skip(this.choiceCount);
      return set.at(source, 0);
    }
    const active = set.active;
    let best = set.at(source, Math.floor(this.source() * count));
    for (let c = 1; c < this.choiceCount; c++) {
      const h = set.at(source, Math.floor(this.source() * count));
      if (active[h]! < active[best]!) best = h;
    }
    return best;
  }
}
