// bench/scale.ts split: a mesh's run window as fixed + marginal × events, from a short and a long run,
// and the 1,000-service excess per event divided between the two (issue 18, goal 4).
import { describe, expect, it } from "vitest";
import { scaleLines, splitLines, splitOf, type ScaleFigures, type ScaleRow } from "../../bench/scale.js";

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

  it("prints the window's ratio and, apart, the marginal ratio between two lengths at equal events", () => {
    // 300 ms + 0.6 µs per event at 10 services, 800 ms + 4.5 µs at 1,000: over 100,000 events the
    // window is 3.6 against 12.5 µs per event (3.5×); each further event 0.6 against 4.5 (7.5×).
    const row = (services: number, fixedMs: number, marginalUs: number): ScaleRow => {
      const short = run("chain", services, 100_000, fixedMs, marginalUs);
      const long = run("chain", services, 300_000, fixedMs, marginalUs);
      return { ...short, marginal: { short, long, marginalUs: splitOf(short, long).marginalUs } };
    };
    const rows = ["chain", "fanout"].flatMap((shape) => [row(10, 300, 0.6), row(1000, 800, 4.5)].map((r) => ({ ...r, shape: shape as "chain" })));
    const [window, marginal] = scaleLines(rows);
    expect(window).toContain("3.60 → 12.50 µs CPU per event (3.5× the 10-service one)");
    expect(marginal).toContain("0.60 → 4.50 µs CPU per event (7.5× the 10-service one; goal ≤ 1.5×), between 100,000 and 300,000 → 100,000 and 300,000 events");
  });
});
