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
    this.insert(h, this.current + 1 / weight, this.nextOrder++);
  }

  /**
   * A scheduler over `hosts` as if `picks` picks had been made from a fresh one (Envoy
   * EdfScheduler::createWithPicks, source/common/upstream/edf_scheduler.h): each host gets
   * floor(P·w/W) picks at once (weights + 1e-13, so that multiples stay exact; one fewer where the
   * floating point rounds up), the clock stands at the latest of those picks, and the fewer than N
   * picks left are made one by one. O(N log N) whatever P.
   */
  static withPicks(hosts: ArrayLike<number>, weights: EdfWeights, now: number, picks: number): EdfScheduler {
    const n = hosts.length;
    const s = new EdfScheduler(n);
    if (n === 0) return s;
    const p = picks % EDF_MAX_PREPICKS;
    const aug = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      aug[k] = weights.edfWeight(hosts[k]!, now) + 1e-13;
      sum += aug[k]!;
    }
    let done = 0;
    let maxPickTime = 0;
    for (let k = 0; k < n; k++) {
      const w = aug[k]!;
      let floor = Math.floor((w * p) / sum);
      if (floor > 0 && floor / w >= p / sum) floor--;
      maxPickTime = Math.max(maxPickTime, floor / w);
      s.insert(hosts[k]!, (floor + 1) / w, k);
      done += floor;
    }
    s.current = maxPickTime;
    s.nextOrder = n;
    for (; done < p; done++) s.pickAndAdd(weights, now);
    return s;
  }

  private insert(h: number, d: number, o: number): void {
    let i = this.size++;
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
  readonly equalWeights: boolean;
  readonly weights: ArrayLike<number>;
  at(source: number, k: number): number;
}

/** Envoy caps the pre-picks at UINT32_MAX / 10 (createWithPicks: `picks % 429496729`). */
export const EDF_MAX_PREPICKS = 429496729;

/**
 * One EDF per host list (Envoy keeps one per HostsSource), rebuilt when the hosts or their health
 * change. Each is built as if the balancer's `seed_` picks had been made already
 * (EdfLoadBalancerBase::refresh → createWithPicks(hosts, hostWeight, seed_), envoyproxy/envoy
 * source/extensions/load_balancing_policies/common/load_balancer_impl.cc): the seed is drawn once
 * per balancer (per worker) and reused at every rebuild, so balancers do not start in lockstep and
 * each starts anywhere in the weighted cycle (not only within its first N picks).
 */
export class EdfSchedulers {
  private byList: (EdfScheduler | undefined)[] = [];
  private version = -1;
  private decidedVersion = -1;
  private slowStart = false;
  /** Per host list, decided at its first pick after a change: 1 = EDF, 0 = unweighted pick. */
  private decided: number[] = [];
  private seed: number | undefined;

  constructor(
    private readonly set: HostLists,
    private readonly weights: EdfWeights,
    /** The balancer's seed_ (a uint32), asked for once, when the first EDF is built. */
    private readonly drawSeed: () => number,
  ) {}

  /**
   * Does the balancer run its EDF for host list `source` (of `count` hosts)? Envoy decides when it
   * refreshes the lists (the hosts or their health changed), list by list: an EDF when that list's
   * weights differ or a host is in slow start then, else the unweighted pick (round robin, P2C) —
   * and keeps that until the next refresh, even once every window has passed
   * (EdfLoadBalancerBase::refresh: `hostWeightsAreEqual(hosts) && noHostsAreInSlowStart()` skips the
   * EDF, and so does a list of one host; envoyproxy/envoy
   * source/extensions/load_balancing_policies/common/load_balancer_impl.cc). So a healthy-hosts list
   * whose only differently weighted host is ejected goes back to the unweighted pick. meshsim
   * decides slow start at the first pick after a change, with `slowStartActive` as it is then, and
   * builds the EDF then: the same unless a window ends between the change and that pick (the hosts
   * themselves are clocked from the EDS update: mesh/sidecar/upstream-cluster.ts endpointsPushed).
   */
  inUse(source: number, count: number, slowStartActive: boolean): boolean {
    const set = this.set;
    if (this.decidedVersion !== set.version) {
      this.decidedVersion = set.version;
      this.slowStart = slowStartActive;
      this.decided = [];
    }
    // The usual case (equal weights, no slow start) without a per-list lookup: the hot path.
    // `=== true`: one compare; the bare field got V8's generic truth test (docs/performance.md, Goal 3,
    // session 22 `inb9`).
    if (!this.slowStart && set.equalWeights === true) return false;
    const d = this.decided[source];
    if (d !== undefined) return d === 1;
    let edf = false;
    if (count > 1) {
      if (this.slowStart) edf = true;
      else if (!set.equalWeights) {
        const w0 = set.weights[set.at(source, 0)]!;
        for (let k = 1; k < count && !edf; k++) if (set.weights[set.at(source, k)] !== w0) edf = true;
      }
    }
    this.decided[source] = edf ? 1 : 0;
    return edf;
  }

  pick(source: number, count: number, now: number): number {
    if (this.version !== this.set.version) {
      this.byList = [];
      this.version = this.set.version;
    }
    let s = this.byList[source];
    if (s === undefined) {
      const hosts = new Int32Array(count);
      for (let k = 0; k < count; k++) hosts[k] = this.set.at(source, k);
      this.seed ??= this.drawSeed();
      s = EdfScheduler.withPicks(hosts, this.weights, now, this.seed);
      this.byList[source] = s;
    }
    return s.pickAndAdd(this.weights, now);
  }
}
