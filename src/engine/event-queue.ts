// The future event list: a binary min-heap keyed by (time, insertion sequence), so equal times come
// out first-in first-out. Cancelling is O(1) and lazy: a handle names a slot and its generation; a
// cancelled event is skipped when it surfaces, and the heap is compacted when dead entries outnumber
// live ones, so memory stays flat with timeouts that are almost always cancelled.
//
// An event's fields live in typed arrays indexed by its slot, and the heap holds slot numbers only:
// a step of a sift moves one Int32 and compares through the slot, instead of moving the time, the
// sequence and the slot in three arrays (each typed-array access costs V8 a map check, three loads
// and a bounds check; a removal from a heap of 6 cost ≈ 375 instructions that way).

export class EventQueue {
  /** The heap: slots, ordered by (times[slot], seqs[slot]). */
  private heap = new Int32Array(1024);
  private n = 0;
  // Slot arrays, indexed by slot (a handle is slot + generation * 2^22). A slot stays taken while
  // its entry is in the heap, dead or alive, so the heap never holds more entries than there are slots.
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
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

  /** The last popped event (`kind` -1: `take` found none due). */
  time = 0;
  kind = 0;
  payload: unknown = undefined;

  /** Live (not cancelled) events. */
  get size(): number {
    return this.n - this.dead;
  }

  push(time: number, kind: number, payload: unknown): number {
    const slot = this.nFree > 0 ? this.free[--this.nFree]! : this.newSlot();
    this.times[slot] = time;
    this.seqs[slot] = this.seq++;
    this.kinds[slot] = kind;
    this.payloads[slot] = payload;
    this.live[slot] = 1;
    this.siftUp(this.n++, slot, time, this.seqs[slot]!);
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
    return this.n > 0 ? this.times[this.heap[0]!]! : Infinity;
  }

  /** Remove the earliest live event into `time`, `kind`, `payload`; false when empty. */
  popInto(): boolean {
    return this.popUntil(Infinity);
  }

  /** popInto, but only an event at or before `until` (peek and pop in one pass). */
  popUntil(until: number): boolean {
    const p = this.take(until);
    if (this.kind < 0) return false;
    this.payload = p;
    return true;
  }

  /**
   * The event loop's call: remove the earliest live event at or before `until` into `time` and
   * `kind` and answer its payload; with none due, `kind` is -1. The payload comes back as the answer,
   * not through a field: storing a young object into this long-lived queue costs V8 a write
   * barrier's slow path (a remembered-set insertion) per event.
   */
  take(until: number): unknown {
    this.dropDeadTop();
    if (this.n === 0) return this.none();
    const slot = this.heap[0]!;
    const t = this.times[slot]!;
    if (t > until) return this.none();
    this.time = t;
    this.kind = this.kinds[slot]!;
    const payload = this.payloads[slot];
    this.release(slot);
    this.removeTop();
    return payload;
  }

  private none(): undefined {
    this.kind = -1;
    return undefined;
  }

  private dropDeadTop(): void {
    while (this.n > 0 && this.live[this.heap[0]!] === 0) {
      this.dead--;
      this.release(this.heap[0]!);
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
    const heap = this.heap, times = this.times, seqs = this.seqs;
    const last = heap[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let sc = heap[c]!;
      const r = c + 1;
      if (r < n) {
        const sr = heap[r]!;
        const tr = times[sr]!, tc = times[sc]!;
        if (tr < tc || (tr === tc && seqs[sr]! < seqs[sc]!)) {
          c = r;
          sc = sr;
        }
      }
      heap[i] = sc;
      i = c;
    }
    this.siftUp(i, last, times[last]!, seqs[last]!);
  }

  /** Put `slot` (whose key is (t, s)) at heap position i or above. */
  private siftUp(i: number, slot: number, t: number, s: number): void {
    const heap = this.heap, times = this.times, seqs = this.seqs;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const sp = heap[p]!;
      const pt = times[sp]!;
      if (pt < t || (pt === t && seqs[sp]! < s)) break;
      heap[i] = sp;
      i = p;
    }
    heap[i] = slot;
  }

  private siftDown(i: number, slot: number): void {
    const heap = this.heap, times = this.times, seqs = this.seqs, n = this.n;
    const t = times[slot]!, s = seqs[slot]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let sc = heap[c]!;
      const r = c + 1;
      if (r < n) {
        const sr = heap[r]!;
        const tr = times[sr]!, tc = times[sc]!;
        if (tr < tc || (tr === tc && seqs[sr]! < seqs[sc]!)) {
          c = r;
          sc = sr;
        }
      }
      const ct = times[sc]!;
      if (t < ct || (t === ct && s < seqs[sc]!)) break;
      heap[i] = sc;
      i = c;
    }
    heap[i] = slot;
  }

  /** Rebuild the heap from live entries only (Floyd's heapify). */
  private compact(): void {
    const heap = this.heap;
    let m = 0;
    for (let i = 0; i < this.n; i++) {
      const slot = heap[i]!;
      if (this.live[slot] === 1) heap[m++] = slot;
      else {
        this.gens[slot] = (this.gens[slot]! + 1) & (MAX_GEN - 1);
        this.free[this.nFree++] = slot;
      }
    }
    this.n = m;
    this.dead = 0;
    for (let i = (m >> 1) - 1; i >= 0; i--) this.siftDown(i, heap[i]!);
  }

  private newSlot(): number {
    if (this.nextSlot === this.kinds.length) {
      const size = this.kinds.length * 2;
      if (size > SLOT_SPACE) throw new Error("event queue: more than 4M events scheduled at once");
      this.heap = grow(this.heap, new Int32Array(size));
      this.times = grow(this.times, new Float64Array(size));
      this.seqs = grow(this.seqs, new Float64Array(size));
      this.kinds = grow(this.kinds, new Int32Array(size));
      this.gens = grow(this.gens, new Int32Array(size));
      this.live = grow(this.live, new Uint8Array(size));
      this.free = grow(this.free, new Int32Array(size));
      this.payloads.length = size;
    }
    return this.nextSlot++;
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
