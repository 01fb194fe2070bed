// bench/scale.ts split: a mesh's run window as fixed + marginal × events, from a short and a long run,
// and the 1,000-service excess per event divided between the two (issue 18, goal 4).
import { describe, expect, it } from "vitest";
import { splitLines, splitOf, type ScaleFigures } from "../../bench/scale.js";

/** A run whose window is exactly `fixedMs` + `marginalUs` per event. */
function run(shape: "chain" | "fanout", services: number, events: number, fixedMs: number, marginalUs: number): ScaleFigures {
  const runCpuMs = fixedMs + (marginalUs * events) / 1000;
  return { shape, services, peakRssMb: 0, events, runCpuMs, cpuUsPerEvent: (runCpuMs * 1000) / events, cpuMs: runCpuMs };
}

describe("bench/scale.ts split", () => {
  it("recovers the fixed cost and the cost per added event from two run lengths", () => {
    const s = splitOf(run("chain", 1000, 100_000, 850, 4.4), run("chain", 1000, 700_000, 850, 4.4));
    expect(s.marginalUs).toBeCloseTo(4.4, 9);
    expect(s.fixedMs).toBeCloseTo(850, 9);
  });

  it("divides the 1,000-service excess per event at the short length into fixed work and marginal cost", () => {
    const splits = ["chain", "fanout"].flatMap((shape) => [
      splitOf(run(shape as "chain", 10, 100_000, 300, 0.6), run(shape as "chain", 10, 900_000, 300, 0.6)),
      // 3 + 0.6 µs per event at 10 services, 8 + 4.6 at 1,000: 9 µs of excess, 5 fixed and 4 marginal.
      splitOf(run(shape as "chain", 1000, 100_000, 800, 4.6), run(shape as "chain", 1000, 700_000, 800, 4.6)),
    ]);
    const [chain] = splitLines(splits);
    expect(chain).toContain("3.60 → 12.60 µs CPU per event (3.5×)");
    expect(chain).toContain("fixed 300 → 800 ms, marginal 0.60 → 4.60 µs per event (7.7×)");
    expect(chain).toContain("of the 9.00 µs excess per event, 5.00 (56 %) is fixed work, 4.00 marginal");
  });
});
