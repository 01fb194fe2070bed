// Simulator.at refuses a time before the clock (an event in the past would run out of order) and
// schedules nothing (src/engine/simulator.ts `at`).
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";

describe("Simulator.at", () => {
  it("throws for a time before the clock, or NaN, and leaves the queue as it was", () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const k = sim.on((t: number) => {
      seen.push(sim.now);
      if (t === 5) {
        expect(() => sim.at(4.5, k, 0)).toThrow("cannot schedule at 4.5 ms: the clock is at 5 ms");
        expect(() => sim.at(Number.NaN, k, 0)).toThrow(/cannot schedule at NaN ms/);
        expect(() => sim.after(-1, k, 0)).toThrow("cannot schedule at 4 ms: the clock is at 5 ms");
        // `after` checks the clock itself (it no longer goes through `at`: docs/performance.md, Goal 2, session 25).
        expect(() => sim.after(Number.NaN, k, 0)).toThrow(/cannot schedule at NaN ms/);
        sim.at(5, k, 6); // the clock's own time is allowed
      }
    });
    sim.at(5, k, 5);
    sim.run();
    expect(seen).toEqual([5, 5]);
    expect(sim.pending).toBe(0);
  });
});
