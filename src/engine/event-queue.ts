// The future event list: a binary min-heap over typed arrays keyed by (time, insertion sequence), so
// equal times come out first-in first-out. Cancelling is O(1) and lazy: a handle names a slot and its
// generation; a cancelled event is skipped when it surfaces, and the heap is compacted when dead
// entries outnumber live ones, so memory stays flat with timeouts that are almost always cancelled.

export class EventQueue {
  // Heap arrays, indexed by heap position.
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private slots = new Int32Array(1024);
  private n = 0;
  // Slot arrays, indexed by slot (a handle is slot + generation * 2^22).
  private kinds = new Int32Array(1024);
  private gens = new Int32Array(1024);
  private live = new Uint8Array(1024);
  private payloads: unknown[] = new Array(1024);
  /** Released slots, a stack (as many as there are slots at most: it grows with them). */
  private free = new Int32Array(1024);
  private nFree = 0;
  private nextSlot = 0;
  private seq = 0;
  private dead = 0;

  /** The last popped event. */
  time: number;
  kind = 0;
  payload: unknown = undefined;

  constructor() {
    // A double from its first store: V8 gives a field first set to 0 the small-integer representation,
    // and the first fractional time would then replace the queue's map and deoptimize the code optimized
    // against it — late in a large mesh, whose first events fall on whole ms (docs/performance.md, Goal 4).
    this.time = 0.5;
    this.time = 0;
  }

  /** Live (not cancelled) events. */
  get size(): number {
    return this.n - this.dead;
  }

  push(time: number, kind: number, payload: unknown): number {
    const slot = this.nFree > 0 ? this.free[--this.nFree]! : this.newSlot();
    this.kinds[slot] = kind;
    this.payloads[slot] = payload;
    this.live[slot] = 1;
    if (this.n === this.times.length) this.growHeap();
    this.siftUp(this.n++, time, this.seq++, slot);
    return slot + this.gens[slot]! * SLOT_SPACE;
  }

  /** Cancel a scheduled event; false if it already fired or was cancelled (a stale handle is harmless). */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    if (slot >= this.nextSlot || this.gens[slot] !== gen || this.live[slot] === 0) return false;
    this.live[slot] = 0;
    this.payloads[slot] = undefined;
    this.dead++;
    if (this.dead > 1024 && this.dead * 2 > this.n) this.compact();
    return true;
  }

  /** Earliest live event's time, or Infinity. */
  peekTime(): number {
    this.dropDeadTop();
    return this.n > 0 ? this.times[0]! : Infinity;
  }

  /** Remove the earliest live event into `time`, `kind`, `payload`; false when empty. */
  popInto(): boolean {
    return this.popUntil(Infinity);
  }

  /** popInto, but only an event at or before `until` (peek and pop in one pass: the event loop's call). */
  popUntil(until: number): boolean {
    this.dropDeadTop();
    if (this.n === 0 || this.times[0]! > until) return false;
    const slot = this.slots[0]!;
    this.time = this.times[0]!;
    this.kind = this.kinds[slot]!;
    this.payload = this.payloads[slot];
    this.release(slot);
    this.removeTop();
    return true;
  }

  private dropDeadTop(): void {
    while (this.n > 0 && this.live[this.slots[0]!] === 0) {
      const slot = this.slots[0]!;
      this.dead--;
      this.release(slot);
      this.removeTop();
    }
  }

  private release(slot: number): void {
    this.live[slot] = 0;
    this.payloads[slot] = undefined;
    this.gens[slot] = (this.gens[slot]! + 1) & (MAX_GEN - 1);
    this.free[this.nFree++] = slot;
  }

  /**
   * Move the last entry into the root's place, bottom-up (Floyd): the hole goes down the path of
   * smaller children to a leaf with one comparison per level, then the entry climbs back up that
   * path. The path's keys grow downwards, so it stops where a top-down sift would have: the same
   * heap, about half the comparisons (the last entry usually belongs near the bottom).
   */
  private removeTop(): void {
    const n = --this.n;
    if (n === 0) return;
    const times = this.times, seqs = this.seqs, slots = this.slots;
    const t = times[n]!, s = seqs[n]!, slot = slots[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (times[r]! < times[c]! || (times[r] === times[c] && seqs[r]! < seqs[c]!))) c = r;
      times[i] = times[c]!;
      seqs[i] = seqs[c]!;
      slots[i] = slots[c]!;
      i = c;
    }
    this.siftUp(i, t, s, slot);
  }

  private siftUp(i: number, t: number, s: number, slot: number): void {
    const times = this.times, seqs = this.seqs, slots = this.slots;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < t || (pt === t && seqs[p]! < s)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      slots[i] = slots[p]!;
      i = p;
    }
    times[i] = t;
    seqs[i] = s;
    slots[i] = slot;
  }

  private siftDown(i: number, t: number, s: number, slot: number): void {
    const times = this.times, seqs = this.seqs, slots = this.slots, n = this.n;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (times[r]! < times[c]! || (times[r] === times[c] && seqs[r]! < seqs[c]!))) c = r;
      const ct = times[c]!;
      if (t < ct || (t === ct && s < seqs[c]!)) break;
      times[i] = ct;
      seqs[i] = seqs[c]!;
      slots[i] = slots[c]!;
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    slots[i] = slot;
  }

  /** Rebuild the heap from live entries only (Floyd's heapify). */
  private compact(): void {
    let m = 0;
    for (let i = 0; i < this.n; i++) {
      const slot = this.slots[i]!;
      if (this.live[slot] === 1) {
        this.times[m] = this.times[i]!;
        this.seqs[m] = this.seqs[i]!;
        this.slots[m] = slot;
        m++;
      } else {
        this.gens[slot] = (this.gens[slot]! + 1) & (MAX_GEN - 1);
        this.free[this.nFree++] = slot;
      }
    }
    this.n = m;
    this.dead = 0;
    for (let i = (m >> 1) - 1; i >= 0; i--) this.siftDown(i, this.times[i]!, this.seqs[i]!, this.slots[i]!);
  }

  private newSlot(): number {
    if (this.nextSlot === this.kinds.length) {
      const size = this.kinds.length * 2;
      if (size > SLOT_SPACE) throw new Error("event queue: more than 4M events scheduled at once");
      this.kinds = grow(this.kinds, new Int32Array(size));
      this.gens = grow(this.gens, new Int32Array(size));
      this.live = grow(this.live, new Uint8Array(size));
      this.free = grow(this.free, new Int32Array(size));
      this.payloads.length = size;
    }
    return this.nextSlot++;
  }

  private growHeap(): void {
    const size = this.times.length * 2;
    this.times = grow(this.times, new Float64Array(size));
    this.seqs = grow(this.seqs, new Float64Array(size));
    this.slots = grow(this.slots, new Int32Array(size));
  }
}

/** Handles pack slot + generation into one safe integer: 2^22 slots × 2^30 generations (a power of
 *  two, so a generation wraps with a mask: an integer division costs ≈ 25 cycles per event). */
const SLOT_SPACE = 1 << 22;
const MAX_GEN = 1 << 30;

function grow<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
