// bench/scale.ts split: a mesh's run window as fixed + marginal × events, from a short and a long run,
// and the 1,000-service excess per event divided between the two (issue 18, goal 4).
import { describe, expect, it } from "vitest";
import { marginalOf, scaleLines, splitLines, splitOf, type ScaleFigures, type ScaleRow } from "../../bench/scale.js";

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
      const m = splitOf(short, long).marginalUs;
      return { ...short, marginal: { short, long, marginalUs: m, spreadUs: [m * 0.9, m * 1.2] as const, load: [1.5, 4.25] as const } };
    };
    const rows = ["chain", "fanout"].flatMap((shape) => [row(10, 300, 0.6), row(1000, 800, 4.5)].map((r) => ({ ...r, shape: shape as "chain" })));
    const [window, marginal] = scaleLines(rows);
    expect(window).toContain("3.60 → 12.50 µs CPU per event (3.5× the 10-service one)");
    expect(marginal).toContain("0.60 → 4.50 µs CPU per event (7.5× the 10-service one; goal ≤ 1.5×; the rounds' own differences 0.54–0.72 → 4.05–5.40), between 100,000 and 300,000 → 100,000 and 300,000 events");
    expect(marginal).toContain("load average 1.5–4.3 (compare sittings at like loads only)");
  });

  // The machine's load only adds CPU time to a run (bench/scale.ts marginalOf): a round whose long run
  // was slowed, or whose short run was, must not move the figure when another round ran unloaded.
  it("takes the marginal cost from each length's least CPU time, not from a round's own difference", () => {
    const slowed = (f: ScaleFigures, by: number): ScaleFigures => ({ ...f, runCpuMs: f.runCpuMs * by, cpuUsPerEvent: f.cpuUsPerEvent * by });
    const short = run("chain", 1000, 281_294, 1000, 3);
    const long = run("chain", 1000, 741_831, 1000, 3);
    // Five rounds: the long run slowed 40 % in three (their differences 5.80 µs per event), the short
    // run 30 % in one (1.80 µs), both unloaded in the last (3 µs).
    const shorts = [short, slowed(short, 1.3), short, short, short];
    const longs = [slowed(long, 1.4), long, slowed(long, 1.4), slowed(long, 1.4), long];
    expect(marginalOf(shorts, longs)).toBeCloseTo(3, 9);
    // The median of the rounds' own differences, as before: 5.80 µs, off by 93 %.
    const own = shorts.map((s, i) => splitOf(s, longs[i]!).marginalUs).sort((a, b) => a - b);
    expect(own[2]).toBeCloseTo(5.8, 1);
    // No round unloaded for the long length: the figure is the least slowed one's.
    expect(marginalOf([short], [slowed(long, 1.1), slowed(long, 1.05)])).toBeCloseTo(splitOf(short, slowed(long, 1.05)).marginalUs, 9);
  });
});
