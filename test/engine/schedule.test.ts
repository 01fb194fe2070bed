// Simulator.schedule is `after` without the handle (src/engine/simulator.ts): the same push, so the
// same insertion sequence and the same order of events. The callers moved from `after` to it rely on
// that for byte-identical summaries (docs/performance.md, Goal 3, session 30).
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";

/** The insertion sequence a handle carries (event-queue.ts: slot + sequence × 2^22). */
const sequenceOf = (handle: number): number => Math.floor(handle / 4194304);

/** Schedules `delays` (ties included) in turn, each by `after` or `schedule` as `useSchedule` says,
 *  and answers the order in which they fire. */
function firingOrder(delays: number[], useSchedule: (i: number) => boolean): number[] {
  const sim = new Simulator();
  const fired: number[] = [];
  const k = sim.on((i: number) => fired.push(i));
  delays.forEach((d, i) => {
    if (useSchedule(i)) sim.schedule(d, k, i);
    else sim.after(d, k, i);
  });
  sim.run();
  return fired;
}

describe("Simulator.schedule", () => {
  it("fires events in the same order as `after`, ties first in first out across the two", () => {
    // Few distinct delays, so that most events tie with events pushed by the other method.
    const delays = Array.from({ length: 600 }, (_, i) => [3, 1, 2, 1, 3][i % 5]! + (i % 7 === 0 ? 0.25 : 0));
    const byAfter = firingOrder(delays, () => false);
    expect(firingOrder(delays, () => true)).toEqual(byAfter);
    expect(firingOrder(delays, (i) => i % 2 === 0)).toEqual(byAfter);
    expect(firingOrder(delays, (i) => i % 3 !== 0)).toEqual(byAfter);
  });

  it("takes the next insertion sequence, as `after` would", () => {
    const sim = new Simulator();
    const k = sim.on(() => {});
    const h0 = sim.after(1, k);
    sim.schedule(1, k);
    sim.schedule(2, k, "x");
    const h3 = sim.after(1, k);
    // Two pushes between: the sequence moved by three, as with four `after`s.
    expect(sequenceOf(h3) - sequenceOf(h0)).toBe(3);
    expect(sim.pending).toBe(4);
    sim.run();
    expect(sim.eventsProcessed).toBe(4);
  });

  it("runs at the clock plus the delay, and refuses a time before the clock as `after` does", () => {
    const sim = new Simulator();
    const at: number[] = [];
    const k = sim.on((p: string) => {
      at.push(sim.now);
      if (p === "first") {
        sim.schedule(0.5, k, "second");
        expect(() => sim.schedule(-1, k, "never")).toThrow("cannot schedule at 1.5 ms: the clock is at 2.5 ms");
        expect(() => sim.schedule(Number.NaN, k, "never")).toThrow(/cannot schedule at NaN ms/);
      }
    });
    sim.schedule(2.5, k, "first");
    sim.run();
    expect(at).toEqual([2.5, 3]);
    expect(sim.pending).toBe(0);
  });
});
