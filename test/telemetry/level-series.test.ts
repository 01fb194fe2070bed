import { describe, expect, it } from "vitest";
import { LevelSeries } from "../../src/telemetry/level-series.js";

describe("LevelSeries", () => {
  it("gives each window the highest level and the time-weighted mean", () => {
    const s = new LevelSeries(0, 1000, 3000);
    s.set(10, 500); // 10 from 0.5 s
    s.set(0, 1500); // back to 0 at 1.5 s
    s.set(4, 2999);
    expect(s.points()).toEqual([
      { t: 0, max: 10, mean: 5 },
      { t: 1, max: 10, mean: 5 },
      { t: 2, max: 4, mean: 0.004 },
    ]);
    expect(s.peak).toBe(10);
  });

  it("ignores the warm-up", () => {
    const s = new LevelSeries(1000, 1000, 2000);
    s.set(7, 100);
    s.set(2, 900);
    expect(s.points()).toEqual([{ t: 1, max: 2, mean: 2 }]);
    expect(s.peak).toBe(2);
  });
});
