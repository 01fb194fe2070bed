import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { PodStats } from "../../src/telemetry/pod-stats.js";

/**
 * The busy integral as `busyNow` computes it, with a branch: only a time inside (last, toMs] adds.
 * Session 30 (`cold17`) measured a form without the branch (adding `busy × 0` outside it, so that a
 * cold run's callers optimised in the warm-up have feedback for the body) and reverted it (Node 24's
 * warm M/M/5 +111 M): any such form must give these doubles, bit for bit (docs/performance.md, Goal 2).
 */
function reference(fromMs: number, toMs: number, steps: ReadonlyArray<readonly [number, number]>): number {
  let last = fromMs, integral = 0, busy = 0;
  for (const [now, b] of steps) {
    const t = Math.min(now, toMs);
    if (t > last) {
      integral += busy * (t - last);
      last = t;
    }
    busy = b;
  }
  return integral + (toMs > last ? busy * (toMs - last) : 0);
}

/** Naively: each step's busy count over the part of its stretch inside [fromMs, toMs]. */
function naive(fromMs: number, toMs: number, steps: ReadonlyArray<readonly [number, number]>): number {
  let sum = 0, busy = 0, prev = -Infinity;
  for (const [now, b] of steps) {
    const lo = Math.max(prev, fromMs), hi = Math.min(now, toMs);
    if (hi > lo) sum += busy * (hi - lo);
    prev = now;
    busy = b;
  }
  const lo = Math.max(prev, fromMs);
  return toMs > lo ? sum + busy * (toMs - lo) : sum;
}

describe("PodStats busy integral", () => {
  it("is the branch's figure bit for bit, through the warm-up, equal times and the drain", () => {
    const step = fc.tuple(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 50, noNaN: true })), fc.integer({ min: 0, max: 9 }));
    fc.assert(
      fc.property(fc.double({ min: 0, max: 400, noNaN: true }), fc.double({ min: 0, max: 600, noNaN: true }), fc.array(step, { maxLength: 200 }), (fromMs, span, raw) => {
        const toMs = fromMs + span;
        let now = 0;
        const steps = raw.map(([dt, b]) => [(now += dt), b] as const);
        const p = new PodStats("p", 10, fromMs, toMs);
        for (const [t, b] of steps) p.busyNow({ now: t }, b);
        expect(p.busySlotMs).toBe(reference(fromMs, toMs, steps));
        expect(p.busySlotMs).toBeCloseTo(naive(fromMs, toMs, steps), 6);
        expect(Object.is(p.busySlotMs, -0)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("counts the answers after the warm-up only", () => {
    const p = new PodStats("p", 1, 100, 200);
    for (const t of [0, 50, 99.5, 100, 150, 250]) p.served(t);
    expect(p.requests).toBe(3);
  });
});
