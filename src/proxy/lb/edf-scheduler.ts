// Envoy's earliest-deadline-first scheduler (source/common/upstream/edf_scheduler.h): each host has
// a deadline current_time + 1/weight; a pick takes the earliest (ties: first inserted), advances the
// current time to it, and re-inserts the host with its weight *at that moment* — so dynamic weights
// (least request, slow start) act when a host is re-added. Smooth weighted round robin follows.
// A binary heap over typed arrays: no allocation per pick.

export interface EdfWeights {
  /** The weight of host `h` now (> 0). */
  edfWeight(h: number, now: number): number;
}

export class EdfScheduler {
  private readonly host: Int32Array;
  private readonly deadline: Float64Array;
  private readonly order: Float64Array;
  private size = 0;
  private current = 0;
  private nextOrder = 0;

  constructor(capacity: number) {
    this.host = new Int32Array(capacity);
    this.deadline = new Float64Array(capacity);
    this.order = new Float64Array(capacity);
  }

  add(h: number, weight: number): void {
    let i = this.size++;
    const d = this.current + 1 / weight;
    const o = this.nextOrder++;
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(d, o, this.deadline[parent]!, this.order[parent]!)) break;
      this.host[i] = this.host[parent]!;
      this.deadline[i] = this.deadline[parent]!;
      this.order[i] = this.order[parent]!;
      i = parent;
    }
    this.host[i] = h;
    this.deadline[i] = d;
    this.order[i] = o;
  }

  /** Pick the earliest deadline and re-add it with its current weight; -1 when empty. */
  pickAndAdd(weights: EdfWeights, now: number): number {
    if (this.size === 0) return -1;
    const h = this.host[0]!;
    this.current = this.deadline[0]!;
    this.removeTop();
    this.add(h, weights.edfWeight(h, now));
    return h;
  }

  private before(d1: number, o1: number, d2: number, o2: number): boolean {
    return d1 < d2 || (d1 === d2 && o1 < o2);
  }

  private removeTop(): void {
    const last = --this.size;
    if (last === 0) return;
    const h = this.host[last]!;
    const d = this.deadline[last]!;
    const o = this.order[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.before(this.deadline[r]!, this.order[r]!, this.deadline[l]!, this.order[l]!) ? r : l;
      if (!this.before(this.deadline[c]!, this.order[c]!, d, o)) break;
      this.host[i] = this.host[c]!;
      this.deadline[i] = this.deadline[c]!;
      this.order[i] = this.order[c]!;
      i = c;
    }
    this.host[i] = h;
    this.deadline[i] = d;
    this.order[i] = o;
  }
}

/** The subset of HostSet a scheduler cache needs. */
interface HostLists {
  readonly version: number;
  at(source: number, k: number): number;
}

/**
 * One EDF per host list (Envoy keeps one per HostsSource), dropped when health changes. A fresh
 * scheduler is advanced by a random number of picks (< hosts) so that LB instances do not start in
 * lockstep — Envoy ≥ 1.30 seeds its EDF with random pre-picks the same way (PR #32233).
 */
export class EdfSchedulers {
  private byList: (EdfScheduler | undefined)[] = [];
  private version = -1;
  private decidedVersion = -1;
  private edf = false;

  constructor(
    private readonly set: HostLists,
    private readonly weights: EdfWeights,
    private readonly random: () => number,
  ) {}

  /**
   * Does the balancer run its EDF for the current host lists? Envoy decides when it refreshes them
   * (the hosts or their health changed): an EDF when the weights differ or a host is in slow start
   * then, else the unweighted pick (round robin, P2C) — and keeps that until the next refresh, even
   * once every window has passed (EdfLoadBalancerBase::refresh: `hostWeightsAreEqual(hosts) &&
   * noHostsAreInSlowStart()` skips the EDF; envoyproxy/envoy source/common/upstream/load_balancer_impl.cc).
   * meshsim decides at the first pick after a change, with `wanted` as it is then.
   */
  inUse(wanted: boolean): boolean {
    if (this.decidedVersion !== this.set.version) {
      this.decidedVersion = this.set.version;
      this.edf = wanted;
    }
    return this.edf;
  }

  pick(source: number, count: number, now: number): number {
    if (this.version !== this.set.version) {
      this.byList = [];
      this.version = this.set.version;
    }
    let s = this.byList[source];
    if (s === undefined) {
      s = new EdfScheduler(count);
      for (let k = 0; k < count; k++) {
        const h = this.set.at(source, k);
        s.add(h, this.weights.edfWeight(h, now));
      }
      const skip = Math.floor(this.random() * count);
      for (let k = 0; k < skip; k++) s.pickAndAdd(this.weights, now);
      this.byList[source] = s;
    }
    return s.pickAndAdd(this.weights, now);
  }
}
