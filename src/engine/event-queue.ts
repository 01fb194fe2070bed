// The future event list: a binary min-heap keyed by (time, insertion sequence), so equal times come
// out first-in first-out. Cancelling is O(1) and lazy: a handle names a slot and its event; a
// cancelled event is skipped when it surfaces, and the heap is compacted when dead entries outnumber
// live ones, so memory stays flat with timeouts that are almost always cancelled.
//
// Layout, for V8: every typed-array access costs a map check, three loads (length, base, offset) and
// a bounds check, shared only between accesses to the same array. So an event's numbers sit together
// in one Float64Array record per slot (time, sequence, kind), the heap holds slot
// numbers only (a sift step moves one Int32 and compares through the slot), a free slot's record
// links the free list, and a kind of -1 marks a slot whose event fired or was cancelled. A removal
// from a heap of 6 cost ≈ 375 instructions with a typed array per field, the heap moving three.

// A slot's record is rec[4 * slot + k]: k = 0 its time, 1 its insertion sequence (for a free slot:
// the next free slot, or -1), 2 its kind (-1: fired or cancelled), 3 unused (four, so that a record's
// offset is a shift). The offsets are written as literals: V8 reads a module-level constant from the
// module's context at every use. They are or-ed in (`(slot << 2) | 1`: the shift leaves the two low
// bits zero, so it is the sum), as a heap child's index is `(i << 1) | 1`: an integer `+` is compiled
// with an overflow check and its branch at every use, a bitwise operation without (docs/performance.md,
// Goal 2, session 22).
//
// A handle is the slot and the event's insertion sequence (mod 2^30): a slot reused by a later event
// holds a later sequence, so a stale handle cannot cancel it. The sequence is written by `push` anyway;
// a generation per slot, bumped at every release, was a load, an add, two conversions and a store
// more per event (docs/performance.md, Goal 2, session 22).

import { youngCopy } from "./young-copy.js";

export class EventQueue {
  /** The heap: slots, ordered by (time, sequence) of their records. */
  private heap = new Int32Array(1024);
  private n = 0;
  /** Slot records, 4 numbers each. A slot stays taken while its entry is in the heap, dead or
   *  alive, so the heap never holds more entries than there are slots. */
  private rec = new Float64Array(1024 * 4);
  /** Holding objects from the start (`fill`): `new Array(n)` makes an array of small integers whose
   *  first store of an object changes its map, so code optimized in one run would deoptimize on the
   *  next run's new queue (a sweep's thread runs many: docs/performance.md, Goal 5, session 18). */
  private payloads: unknown[] = new Array<unknown>(1024).fill(undefined);
  /** Events taken until `payloads` is copied into a fresh array (`renew`). */
  private takesToRenew = 1024;
  /** The first free slot, or -1. */
  private freeHead = -1;
  private nextSlot = 0;
  private seq = 0;
  private dead = 0;
  /** Events cancelled (their entries may still be in the heap, dead). */
  private cancelled = 0;

  /** The last popped event (`kind` -1: `take` found none due). */
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

  /** Events taken (`take`, `popUntil`): every event pushed is pending, cancelled or taken, so they
   *  are counted from the other two and not one by one (docs/performance.md, Goal 2, session 22). */
  get taken(): number {
    return this.seq - this.cancelled - this.size;
  }

  push(time: number, kind: number, payload: unknown): number {
    let slot = this.freeHead;
    if (slot < 0) slot = this.newSlot();
    else this.freeHead = this.rec[(slot << 2) | 1]! | 0;
    // Read after the slot is taken: `newSlot` may have replaced the record array.
    const rec = this.rec;
    const at = (slot << 2);
    const s = this.seq++;
    rec[at | 0] = time;
    rec[at | 1] = s;
    rec[at | 2] = kind;
    this.payloads[slot] = payload;
    // `siftUp` written out (`removeTop` keeps it): `push` is inlined into the handlers with what it
    // inlined, and a call's arguments and the callee's loads of `heap` and `rec` were bytecode counted
    // against TurboFan's inlining budget there; on Node 24 `Simulator.after` did not fit in the app's
    // `take` and was a call per request (docs/performance.md, Goal 2, session 25).
    const heap = this.heap;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const sp = heap[p]!;
      const pt = rec[(sp << 2) | 0]!;
      if (pt < time || (pt === time && rec[(sp << 2) | 1]! < s)) break;
      heap[i] = sp;
      i = p;
    }
    heap[i] = slot;
    return slot + (s & 0x3fffffff) * 4194304; // SLOT_SPACE; the sequence mod 2^30 (MAX_GEN)
  }

  /** Cancel a scheduled event; false if it already fired or was cancelled (a stale handle is harmless). */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    if (!(slot >= 0 && slot < this.nextSlot)) return false;
    const at = (slot << 2);
    // A free slot's sequence field is the free list's link, but its kind is -1: tested first.
    if (this.rec[at | 2] === -1 || (this.rec[at | 1]! & 0x3fffffff) !== gen) return false;
    this.rec[at | 2] = -1;
    this.payloads[slot] = undefined;
    this.dead++;
    this.cancelled++;
    if (this.dead > 1024 && this.dead * 2 > this.n) this.compact();
    return true;
  }

  /** Earliest live event's time, or Infinity. */
  peekTime(): number {
    this.dropDeadTop();
    return this.n > 0 ? this.rec[(this.heap[0]! << 2) | 0]! : Infinity;
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
    // The top's record is read once for both questions (dead? due?): dropDeadTop then a second read
    // of the same slot was one typed-array access more per event (docs/performance.md, Goal 2,
    // session 21).
    for (;;) {
      if (this.n === 0) return this.none();
      const slot = this.heap[0]!;
      const rec = this.rec;
      const at = (slot << 2);
      const kind = rec[at | 2]!;
      if (kind === -1) {
        this.dead--;
        this.release(slot);
        this.removeTop();
        continue;
      }
      const t = rec[at | 0]!;
      if (t > until) return this.none();
      this.time = t;
      this.kind = kind | 0;
      const payload = this.payloads[slot];
      this.release(slot);
      this.removeTop();
      // Counted here, not in `push`: `push` is inlined into the handlers, where the check and its
      // call cost more than in the event loop (docs/performance.md, Goal 2, session 21).
      if (--this.takesToRenew === 0) this.renew();
      return payload;
    }
  }

  private none(): undefined {
    this.kind = -1;
    return undefined;
  }

  private dropDeadTop(): void {
    while (this.n > 0 && this.rec[(this.heap[0]! << 2) | 2] === -1) {
      this.dead--;
      this.release(this.heap[0]!);
      this.removeTop();
    }
  }

  /** The slot's event is out of the heap: the slot joins the free list. */
  private release(slot: number): void {
    const rec = this.rec;
    const at = (slot << 2);
    rec[at | 2] = -1;
    rec[at | 1] = this.freeHead;
    this.payloads[slot] = undefined;
    this.freeHead = slot;
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
    const heap = this.heap, rec = this.rec;
    const last = heap[n]!;
    let i = 0;
    for (;;) {
      let c = (i << 1) | 1;
      if (c >= n) break;
      let sc = heap[c]!;
      const r = (c + 1) | 0;
      if (r < n) {
        const sr = heap[r]!;
        const tr = rec[(sr << 2) | 0]!, tc = rec[(sc << 2) | 0]!;
        if (tr < tc || (tr === tc && rec[(sr << 2) | 1]! < rec[(sc << 2) | 1]!)) {
          c = r;
          sc = sr;
        }
      }
      heap[i] = sc;
      i = c;
    }
    this.siftUp(i, last, rec[(last << 2) | 0]!, rec[(last << 2) | 1]!);
  }

  /** Put `slot` (whose key is (t, s)) at heap position i or above. `push` has this loop written out
   *  (the inlining budget, see there): a change here is a change there. */
  private siftUp(i: number, slot: number, t: number, s: number): void {
    const heap = this.heap, rec = this.rec;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const sp = heap[p]!;
      const pt = rec[(sp << 2) | 0]!;
      if (pt < t || (pt === t && rec[(sp << 2) | 1]! < s)) break;
      heap[i] = sp;
      i = p;
    }
    heap[i] = slot;
  }

  private siftDown(i: number, slot: number): void {
    const heap = this.heap, rec = this.rec, n = this.n;
    const t = rec[(slot << 2) | 0]!, s = rec[(slot << 2) | 1]!;
    for (;;) {
      let c = (i << 1) | 1;
      if (c >= n) break;
      let sc = heap[c]!;
      const r = (c + 1) | 0;
      if (r < n) {
        const sr = heap[r]!;
        const tr = rec[(sr << 2) | 0]!, tc = rec[(sc << 2) | 0]!;
        if (tr < tc || (tr === tc && rec[(sr << 2) | 1]! < rec[(sc << 2) | 1]!)) {
          c = r;
          sc = sr;
        }
      }
      const ct = rec[(sc << 2) | 0]!;
      if (t < ct || (t === ct && s < rec[(sc << 2) | 1]!)) break;
      heap[i] = sc;
      i = c;
    }
    heap[i] = slot;
  }

  /** Rebuild the heap from live entries only (Floyd's heapify); the dead ones' slots are released. */
  private compact(): void {
    const heap = this.heap;
    let m = 0;
    for (let i = 0; i < this.n; i++) {
      const slot = heap[i]!;
      if (this.rec[(slot << 2) | 2] !== -1) heap[m++] = slot;
      else this.release(slot);
    }
    this.n = m;
    this.dead = 0;
    for (let i = (m >> 1) - 1; i >= 0; i--) this.siftDown(i, heap[i]!);
  }

  /** A fresh copy of `payloads` once every `length` events taken: a payload is mostly a young object
   *  (a request made this event), stored without the write barrier's slow path (engine/young-copy.ts). */
  private renew(): void {
    this.takesToRenew = this.payloads.length;
    this.payloads = youngCopy(this.payloads);
  }

  private newSlot(): number {
    if (this.nextSlot === this.heap.length) {
      const size = this.heap.length * 2;
      if (size > SLOT_SPACE) throw new Error("event queue: more than 4M events scheduled at once");
      this.heap = grow(this.heap, new Int32Array(size));
      this.rec = grow(this.rec, new Float64Array(size * 4));
      this.payloads.length = size;
    }
    return this.nextSlot++;
  }
}

/** Handles pack slot + sequence into one safe integer: 2^22 slots × 2^30 sequences (a power of two,
 *  so the sequence wraps with a mask). A stale handle could cancel only an event of its slot pushed
 *  exactly a multiple of 2^30 pushes later. */
const SLOT_SPACE = 1 << 22;
// MAX_GEN = 1 << 30: `push` and `cancel` take the sequence with the literal mask 0x3fffffff.

function grow<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
