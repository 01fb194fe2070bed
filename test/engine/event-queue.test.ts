import { describe, it, expect } from "vitest";
import { EventQueue } from "../../src/engine/event-queue.js";

/** Pop everything as [time, kind, payload] triples. */
function drain(q: EventQueue): [number, number, unknown][] {
  const out: [number, number, unknown][] = [];
  while (q.popInto()) out.push([q.time, q.kind, q.payload]);
  return out;
}

/** The heap's entry count, live and dead (private): lets a test see that compaction ran. */
function heapEntries(q: EventQueue): number {
  return (q as unknown as { n: number }).n;
}

describe("EventQueue ordering", () => {
  it("pops in time order", () => {
    const q = new EventQueue();
    for (const t of [5, 1, 4, 2, 3, 0.5, 10]) q.push(t, 0, t);
    expect(drain(q).map(([t]) => t)).toEqual([0.5, 1, 2, 3, 4, 5, 10]);
  });

  it("equal times come out first in, first out (insertion order), whatever else is in the heap", () => {
    const q = new EventQueue();
    // Interleave three times so ties sit at many heap positions.
    for (let i = 0; i < 300; i++) q.push([7, 3, 5][i % 3]!, i % 3, i);
    const out = drain(q);
    expect(out.map(([t]) => t)).toEqual([...Array(100).fill(3), ...Array(100).fill(5), ...Array(100).fill(7)]);
    for (const t of [3, 5, 7]) {
      const ps = out.filter(([x]) => x === t).map(([, , p]) => p as number);
      expect(ps).toEqual([...ps].sort((a, b) => a - b));
    }
  });

  it("popInto exposes time, kind and payload of the popped event; false when empty", () => {
    const q = new EventQueue();
    expect(q.popInto()).toBe(false);
    const payload = { x: 1 };
    q.push(2, 7, payload);
    expect(q.peekTime()).toBe(2);
    expect(q.popInto()).toBe(true);
    expect([q.time, q.kind, q.payload]).toEqual([2, 7, payload]);
    expect(q.payload).toBe(payload);
    expect(q.peekTime()).toBe(Infinity);
    expect(q.popInto()).toBe(false);
  });
});

describe("EventQueue cancel", () => {
  it("a cancelled event never comes out; size counts live events only", () => {
    const q = new EventQueue();
    const a = q.push(1, 0, "a");
    q.push(2, 0, "b");
    const c = q.push(3, 0, "c");
    expect(q.size).toBe(3);
    expect(q.cancel(a)).toBe(true);
    expect(q.cancel(c)).toBe(true);
    expect(q.size).toBe(1);
    expect(q.peekTime()).toBe(2);
    expect(drain(q).map(([, , p]) => p)).toEqual(["b"]);
    expect(q.size).toBe(0);
  });

  it("double cancel and cancel after the event fired return false and change nothing", () => {
    const q = new EventQueue();
    const a = q.push(1, 0, "a");
    const b = q.push(2, 0, "b");
    q.push(3, 0, "c");
    expect(q.cancel(b)).toBe(true);
    expect(q.cancel(b)).toBe(false);
    expect(q.popInto()).toBe(true);
    expect(q.payload).toBe("a");
    expect(q.cancel(a)).toBe(false); // already fired
    expect(q.size).toBe(1);
    expect(drain(q).map(([, , p]) => p)).toEqual(["c"]);
  });

  it("a stale handle cannot cancel the event that reuses its slot (after firing)", () => {
    const q = new EventQueue();
    const a = q.push(1, 0, "a");
    q.popInto();
    const b = q.push(2, 0, "b"); // reuses a's slot with a new generation
    expect(b).not.toBe(a);
    expect(b % (1 << 22)).toBe(a % (1 << 22)); // same slot, so the generation is what protects it
    expect(q.cancel(a)).toBe(false);
    expect(drain(q).map(([, , p]) => p)).toEqual(["b"]);
  });

  it("a stale handle cannot cancel the event that reuses its slot (after cancel and lazy removal)", () => {
    const q = new EventQueue();
    const a = q.push(1, 0, "a");
    q.push(5, 0, "x");
    q.cancel(a);
    expect(q.peekTime()).toBe(5); // drops the dead head, freeing a's slot
    const b = q.push(2, 0, "b");
    expect(q.cancel(a)).toBe(false);
    expect(q.cancel(a)).toBe(false);
    expect(q.size).toBe(2);
    expect(drain(q).map(([, , p]) => p)).toEqual(["b", "x"]);
    expect(q.cancel(b)).toBe(false);
  });

  it("handles of garbage (out-of-range slots) are harmless", () => {
    const q = new EventQueue();
    q.push(1, 0, "a");
    expect(q.cancel(12345)).toBe(false);
    expect(q.size).toBe(1);
  });
});

describe("EventQueue compaction and growth", () => {
  it("compacts when dead entries outnumber live ones, keeping order, size and the other handles", () => {
    const q = new EventQueue();
    const handles: number[] = [];
    // 3000 events at times with many ties; cancel two of every three.
    for (let i = 0; i < 3000; i++) handles.push(q.push(i % 50, 0, i));
    for (let i = 0; i < 3000; i++) if (i % 3 !== 0) q.cancel(handles[i]!);
    expect(q.size).toBe(1000);
    // Without compaction the heap would still hold 3000 entries (none of the dead is at the top yet).
    expect(heapEntries(q)).toBeLessThan(3000);
    // Handles survive compaction: a live one can still be cancelled, a dead one cannot.
    expect(q.cancel(handles[3]!)).toBe(true);
    expect(q.cancel(handles[1]!)).toBe(false);
    const out = drain(q);
    const expected = Array.from({ length: 1000 }, (_, k) => 3 * k)
      .filter((i) => i !== 3)
      .sort((a, b) => (a % 50) - (b % 50) || a - b);
    expect(out.map(([, , p]) => p)).toEqual(expected);
  });

  it("slots freed by compaction are reused and their old handles stay stale", () => {
    const q = new EventQueue();
    const dead: number[] = [];
    for (let i = 0; i < 2100; i++) dead.push(q.push(100 + i, 0, i));
    q.push(1e9, 0, "last");
    for (const h of dead) q.cancel(h);
    expect(q.size).toBe(1);
    const fresh: number[] = [];
    for (let i = 0; i < 2100; i++) fresh.push(q.push(i, 1, `f${i}`));
    for (const h of dead) expect(q.cancel(h)).toBe(false);
    expect(q.size).toBe(2101);
    const out = drain(q);
    expect(out.length).toBe(2101);
    expect(out[0]).toEqual([0, 1, "f0"]);
    expect(out[2100]).toEqual([1e9, 0, "last"]);
  });

  it("grows past 1024 pending events and keeps (time, insertion) order for 100k events", () => {
    const q = new EventQueue();
    let x = 12345;
    const rand = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const n = 100_000;
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      times[i] = Math.floor(rand() * 5000); // ~20 ties per time
      q.push(times[i]!, 0, i);
    }
    expect(q.size).toBe(n);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
    let k = 0;
    while (q.popInto()) {
      if (q.payload !== order[k]) throw new Error(`pop ${k}: got ${String(q.payload)}, want ${order[k]}`);
      k++;
    }
    expect(k).toBe(n);
  });
});

describe("EventQueue against a reference list", () => {
  it("random pushes, cancels, take and popUntil give the (time, insertion) order of a sorted list", () => {
    // The reference: live events kept in an array, the earliest by (time, sequence) found by a scan.
    let x = 987654321;
    const rand = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const q = new EventQueue();
    const ref: { t: number; seq: number; kind: number; p: number; h: number }[] = [];
    let seq = 0;
    let now = 0;
    for (let step = 0; step < 60_000; step++) {
      const u = rand();
      if (u < 0.45 || ref.length === 0) {
        // Few distinct times so that ties are common; never in the past.
        const t = now + Math.floor(rand() * 8);
        const kind = Math.floor(rand() * 5);
        const h = q.push(t, kind, seq);
        ref.push({ t, seq, kind, p: seq, h });
        seq++;
      } else if (u < 0.6) {
        const k = Math.floor(rand() * ref.length);
        expect(q.cancel(ref[k]!.h)).toBe(true);
        expect(q.cancel(ref[k]!.h)).toBe(false);
        ref.splice(k, 1);
      } else {
        let best = 0;
        for (let k = 1; k < ref.length; k++) {
          const a = ref[k]!, b = ref[best]!;
          if (a.t < b.t || (a.t === b.t && a.seq < b.seq)) best = k;
        }
        const want = ref[best]!;
        // An `until` before the earliest event pops nothing.
        if (u < 0.65) {
          expect(q.take(want.t - 0.5)).toBeUndefined();
          expect(q.kind).toBe(-1);
          expect(q.popUntil(want.t - 0.5)).toBe(false);
        }
        if (u < 0.8) {
          expect(q.take(want.t)).toBe(want.p);
          expect([q.time, q.kind]).toEqual([want.t, want.kind]);
        } else {
          expect(q.popUntil(Infinity)).toBe(true);
          expect([q.time, q.kind, q.payload]).toEqual([want.t, want.kind, want.p]);
        }
        now = want.t;
        ref.splice(best, 1);
        expect(q.cancel(want.h)).toBe(false);
      }
      expect(q.size).toBe(ref.length);
    }
  });
});
