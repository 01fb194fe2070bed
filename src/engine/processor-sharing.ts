// A processor-sharing server with a bandwidth quota: the shape of a Linux cgroup's CPU.
// - Processor sharing: the n busy jobs (threads) share `capacity` cores equally, each at most
//   `perJobCap` cores (one thread runs on one core at a time), as CFS's fair scheduler does among
//   a container's runnable threads (https://docs.kernel.org/scheduler/sched-design-CFS.html).
// - Quota: with `quota`, at most `quota.amount` core-ms may run per `quota.periodMs` period; a
//   burst that spends it early stalls every job until the next period, and the period counts as
//   throttled — CFS bandwidth control, cpu.cfs_quota_us per cpu.cfs_period_us (100 ms by default),
//   nr_throttled in cpu.stat (https://docs.kernel.org/scheduler/sched-bwc.html).
// Every job advances at the same rate, so the server keeps one virtual clock V (work attained by
// each job) and each job's finishing value of V: events are only "a job finishes", "the quota is
// spent" and "a new period starts" — one timer, rescheduled when the set of jobs changes.
// Generic: it knows threads and cores, not containers.
import type { Simulator } from "./simulator.js";

export interface ProcessorSharingOptions {
  /** Cores the jobs may share at once (Infinity: as many as there are jobs). */
  capacity: number;
  /** Cores one job can use at once (1: a thread). */
  perJobCap?: number;
  /** Bandwidth quota: `amount` core-ms per `periodMs`. */
  quota?: { periodMs: number; amount: number } | undefined;
  /** Called for every stretch of time the server ran: [from, to) at `cores` cores. */
  onUsage?: ((from: number, to: number, cores: number) => void) | undefined;
  /** Called when what the server wants may have changed (a job started or finished, it was
   *  throttled, a period began), e.g. to reshare a node. */
  onBusyChange?: (() => void) | undefined;
  /** Called when a period is throttled, with the period's start (ms). */
  onThrottle?: ((periodStartMs: number) => void) | undefined;
}

export class ProcessorSharing<P> {
  /** Core-ms of work done so far. */
  workDoneMs = 0;
  /** Periods in which the server ran (cpu.stat nr_periods) and in which it was throttled. */
  periods = 0;
  throttledPeriods = 0;
  /** Time spent throttled with work waiting (ms; cpu.stat throttled_time). */
  throttledMs = 0;

  private capacity: number;
  private readonly perJobCap: number;
  private readonly quota: { periodMs: number; amount: number } | undefined;
  private readonly onUsage: ((from: number, to: number, cores: number) => void) | undefined;
  private readonly onBusyChange: (() => void) | undefined;
  private readonly onThrottle: ((periodStartMs: number) => void) | undefined;
  /** Jobs by finishing virtual time, descending (the next to finish is last). */
  private readonly ends: number[] = [];
  private readonly payloads: P[] = [];
  private v = 0;
  private last = 0;
  private period = -1;
  private usedInPeriod = 0;
  private ranInPeriod = false;
  private throttled = false;
  private handle = -1;
  private scheduledAt = NaN;
  private readonly kind: number;

  constructor(private readonly sim: Simulator, o: ProcessorSharingOptions, private readonly onDone: (payload: P) => void) {
    if (!(o.capacity > 0)) throw new Error(`capacity must be > 0, got ${o.capacity}`);
    if (o.quota && !(o.quota.amount > 0 && o.quota.periodMs > 0)) throw new Error("quota amount and period must be > 0");
    this.capacity = o.capacity;
    this.perJobCap = o.perJobCap ?? 1;
    this.quota = o.quota;
    this.onUsage = o.onUsage;
    this.onBusyChange = o.onBusyChange;
    this.onThrottle = o.onThrottle;
    this.kind = sim.on(() => this.wake());
  }

  /** Jobs in service. */
  get busy(): number {
    return this.ends.length;
  }

  /** Start a job needing `work` core-ms; `onDone(payload)` when it has had them. */
  submit(work: number, payload: P): void {
    this.advance();
    this.roll();
    const end = this.v + work;
    // Binary search in the descending array, ties after existing ones (FIFO among equals).
    const ends = this.ends;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! > end) lo = mid + 1;
      else hi = mid;
    }
    ends.splice(lo, 0, end);
    this.payloads.splice(lo, 0, payload);
    this.schedule();
    this.onBusyChange?.();
  }

  /** Change the shared capacity (e.g. a node's CPU shares were recomputed). */
  setCapacity(capacity: number): void {
    if (capacity === this.capacity) return;
    this.advance();
    this.capacity = capacity;
    this.schedule();
  }

  /** Stalled on a spent quota until the next period. */
  get isThrottled(): boolean {
    return this.throttled;
  }

  /** Cores in use right now. */
  cores(): number {
    const n = this.ends.length;
    if (n === 0 || this.throttled) return 0;
    const want = n * this.perJobCap;
    return want < this.capacity ? want : this.capacity;
  }

  private advance(): void {
    const now = this.sim.now;
    const dt = now - this.last;
    if (dt > 0) {
      const n = this.ends.length;
      if (n > 0) {
        if (this.throttled) this.throttledMs += dt;
        else {
          const c = this.cores();
          this.v += (c / n) * dt;
          this.workDoneMs += c * dt;
          this.usedInPeriod += c * dt;
          this.ranInPeriod = true;
          this.onUsage?.(this.last, now, c);
        }
      }
    }
    this.last = now;
  }

  private roll(): void {
    const q = this.quota;
    if (!q) return;
    const k = Math.floor(this.sim.now / q.periodMs);
    if (k > this.period) {
      if (this.ranInPeriod || this.throttled) this.periods++;
      this.period = k;
      this.usedInPeriod = 0;
      this.ranInPeriod = false;
      this.throttled = false;
    }
  }

  private wake(): void {
    this.scheduledAt = NaN;
    this.advance();
    this.roll();
    const ends = this.ends;
    const eps = 1e-9 * (1 + Math.abs(this.v));
    while (ends.length > 0 && ends[ends.length - 1]! <= this.v + eps) {
      ends.pop();
      const p = this.payloads.pop()!;
      if (ends.length === 0) this.v = 0; // keep V small: nobody holds a finishing value
      this.onDone(p);
    }
    const q = this.quota;
    if (q && !this.throttled && ends.length > 0 && this.usedInPeriod >= q.amount - 1e-9) {
      this.throttled = true;
      this.throttledPeriods++;
      this.onThrottle?.(this.period * q.periodMs);
    }
    this.schedule();
    // Jobs finished, the quota ran out or a period began: what the server wants may have changed.
    this.onBusyChange?.();
  }

  private schedule(): void {
    const n = this.ends.length;
    const now = this.sim.now;
    let next = Infinity;
    const q = this.quota;
    if (n > 0) {
      const periodEnd = q ? (this.period + 1) * q.periodMs : Infinity;
      if (this.throttled) next = periodEnd;
      else {
        const c = this.cores();
        next = now + ((this.ends[n - 1]! - this.v) * n) / c;
        if (q) {
          const quotaAt = now + (q.amount - this.usedInPeriod) / c;
          if (quotaAt < next) next = quotaAt;
          if (periodEnd < next) next = periodEnd;
        }
      }
      if (next < now) next = now;
    }
    if (next === this.scheduledAt) return;
    if (this.handle >= 0 && this.scheduledAt === this.scheduledAt) this.sim.cancel(this.handle);
    this.handle = -1;
    this.scheduledAt = next;
    if (next !== Infinity) this.handle = this.sim.at(next, this.kind);
    else this.scheduledAt = NaN;
  }

  /** Close the books at the end of a run (counts the current period if it ran). */
  finish(): void {
    this.advance();
    if (this.quota && (this.ranInPeriod || this.throttled)) {
      this.periods++;
      this.ranInPeriod = false;
    }
  }
}
