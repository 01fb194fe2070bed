import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseDuration } from "../../src/scenario/index.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250], ["0.5s", 500], ["3s", 3000], ["1m30s", 90_000], ["24h", 86_400_000],
    ["1h2m3.5s", 3_723_500], ["100us", 0.1], ["100µs", 0.1], ["1500ns", 0.0015], ["0s", 0], [".5s", 500],
    ["10m", 600_000], ["1.5h", 5_400_000], ["2s500ms", 2500],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each([
    ["3", /needs a unit/], ["0", /needs a unit/], ["1.5", /needs a unit/], ["-1s", /must not be negative/],
    ["", /empty/], ["5 s", /invalid duration/], ["5sec", /invalid duration/], ["s", /invalid duration/],
    ["1d", /invalid duration/], ["ms5", /invalid duration/],
  ])("rejects %j", (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });

  it("a sum of parts in h, m, s, ms reads as the sum of their milliseconds", () => {
    fc.assert(fc.property(
      fc.nat(1000), fc.nat(59), fc.nat(59), fc.nat(999),
      (h, m, s, ms) => parseDuration(`${h}h${m}m${s}s${ms}ms`) === h * 3_600_000 + m * 60_000 + s * 1000 + ms,
    ));
  });
});
