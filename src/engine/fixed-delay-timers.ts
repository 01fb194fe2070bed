// Timeouts of one fixed duration, as a FIFO ring: timers added in time order also expire in that
// order, so they need no heap. Cancelling only marks the entry; dead entries at the head are dropped
// whenever the ring is looked at, and a single wake event in the simulator stands for the earliest
// live timer. Timeouts are scheduled on nearly every call and almost always cancelled, so this
// takes most of their cost out of the event heap.
import type { Simulator } from "./simulator.js";

export class FixedDelayTimers {
  private deadlines = new Float64Array(256);
  private payloads: unknown[] = new Array(256);
  private live = new Uint8Array(256);
  private mask = 255;
  /** Token of the head entry; entries are numbered consecutively from it. */
  private head = 0;
  private count = 0;
  private wake = -1;
  private wakeAt = Infinity;
  private readonly kWake: number;

  constructor(
    private readonly sim: Simulator,
    readonly delayMs: number,
    private readonly onExpire: (payload: any) => void,
  ) {
    this.kWake = sim.on(() => this.expire());
  }

  /** Start a timer; returns a token for `cancel`. */
  add(payload: unknown): number {
    if (this.count === this.deadlines.length) this.grow();
    const token = this.head + this.count;
    const i = token & this.mask;
    this.deadlines[i] = this.sim.now + this.delayMs;
    this.payloads[i] = payload;
    this.live[i] = 1;
    this.count++;
    if (this.wake < 0) this.scheduleWake();
    return token;
  }

  cancel(token: number): void {
    const k = token - this.head;
    if (k < 0 || k >= this.count) return;
    const i = token & this.mask;
    this.live[i] = 0;
    this.payloads[i] = undefined;
  }

  private dropDeadHead(): void {
    while (this.count > 0 && this.live[this.head & this.mask] === 0) {
      this.head++;
      this.count--;
    }
  }

  private scheduleWake(): void {
    this.dropDeadHead();
    if (this.count === 0) return;
    const at = this.deadlines[this.head & this.mask]!;
    if (this.wake >= 0 && this.wakeAt === at) return;
    if (this.wake >= 0) this.sim.cancel(this.wake);
    this.wakeAt = at;
    this.wake = this.sim.at(at, this.kWake, undefined);
  }

  private expire(): void {
    this.wake = -1;
    this.wakeAt = Infinity;
    const now = this.sim.now;
    for (;;) {
      this.dropDeadHead();
      if (this.count === 0) break;
      const i = this.head & this.mask;
      if (this.deadlines[i]! > now) break;
      const p = this.payloads[i];
      this.live[i] = 0;
      this.payloads[i] = undefined;
      this.head++;
      this.count--;
      this.onExpire(p);
    }
    if (this.wake < 0) this.scheduleWake();
  }

  private grow(): void {
    const size = this.deadlines.length * 2;
    const d = new Float64Array(size);
    const p: unknown[] = new Array(size);
    const l = new Uint8Array(size);
    for (let k = 0; k < this.count; k++) {
      const from = (this.head + k) & this.mask;
      const to = (this.head + k) & (size - 1);
      d[to] = this.deadlines[from]!;
      p[to] = this.payloads[from];
      l[to] = this.live[from]!;
    }
    this.deadlines = d;
    this.payloads = p;
    this.live = l;
    this.mask = size - 1;
  }
}

/** One FixedDelayTimers per distinct duration, created on first use. */
export class TimersByDelay {
  private readonly byDelay = new Map<number, FixedDelayTimers>();
  constructor(private readonly sim: Simulator, private readonly onExpire: (payload: any) => void) {}

  for(delayMs: number): FixedDelayTimers {
    let t = this.byDelay.get(delayMs);
    if (t === undefined) {
      t = new FixedDelayTimers(this.sim, delayMs, this.onExpire);
      this.byDelay.set(delayMs, t);
    }
    return t;
  }
}
