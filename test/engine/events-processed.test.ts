// Simulator.eventsProcessed is derived (pushed − cancelled − pending: src/engine/event-queue.ts `taken`)
// rather than counted per event; it must still equal the number of handler calls, through cancels of
// live and of already-fired events, compaction, `stop()` and runs that end at `until` with events left.
import { describe, it, expect } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";

describe("Simulator.eventsProcessed", () => {
  it("equals the handler calls made, whatever was cancelled, compacted or left pending", () => {
    const sim = new Simulator();
    let calls = 0;
    const handles: number[] = [];
    let stopAt = -1;
    const k = sim.on((i: number) => {
      calls++;
      if (i === stopAt) sim.stop();
      // Each event schedules another (some at the same time) and cancels an older one.
      if (i < 20_000) handles.push(sim.after((i * 7) % 5, k, i + 20_000));
      if (handles.length > 3 && i % 3 === 0) sim.cancel(handles[handles.length - 3]!);
    });
    for (let i = 0; i < 3000; i++) handles.push(sim.at(i % 97, k, i));
    // Cancel two of every three of the first ones: more dead than live entries, so the heap compacts.
    for (let i = 0; i < 3000; i++) if (i % 3 !== 0) sim.cancel(handles[i]!);
    // A cancel of a fired event and a double cancel change nothing.
    sim.run(10);
    expect(sim.eventsProcessed).toBe(calls);
    expect(sim.pending).toBeGreaterThan(0);
    stopAt = 20_500;
    sim.run();
    expect(sim.eventsProcessed).toBe(calls);
    sim.cancel(handles[0]!);
    sim.cancel(handles[1]!);
    sim.run();
    expect(sim.eventsProcessed).toBe(calls);
    expect(sim.pending).toBe(0);
    expect(calls).toBeGreaterThan(1000);
  });
});
