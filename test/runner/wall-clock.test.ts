// runner/wall-clock.ts reads the monotonic clock performance.now() reads, in the same unit (ms):
// run.json's wallMs and events/s, and the sliced run's slice length, mean what they meant before.
// https://nodejs.org/api/process.html#processhrtimebigint , https://nodejs.org/api/perf_hooks.html#performancenow
import { describe, expect, it } from "vitest";
import { wallNowMs } from "../../src/runner/wall-clock.js";

describe("wallNowMs", () => {
  it("advances as performance.now() does, in milliseconds", () => {
    const w0 = wallNowMs(), p0 = performance.now();
    while (performance.now() - p0 < 30) { /* wait 30 ms */ }
    const dw = wallNowMs() - w0, dp = performance.now() - p0;
    expect(dw).toBeGreaterThan(25);
    expect(Math.abs(dw - dp)).toBeLessThan(5);
  });

  it("never goes back", () => {
    let last = wallNowMs();
    for (let i = 0; i < 10_000; i++) {
      const now = wallNowMs();
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    }
  });
});
