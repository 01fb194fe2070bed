import { describe, expect, it } from "vitest";
import { float64s } from "../../src/telemetry/float64-arena.js";

describe("float64s (views of shared chunks)", () => {
  it("hands out zeroed arrays that never overlap, across chunk boundaries", () => {
    const arrays: Float64Array[] = [];
    // Enough to span several 64 Ki-double chunks, with sizes that do not divide them.
    for (let i = 0; i < 20_000; i++) arrays.push(float64s(1 + (i % 37)));
    for (const a of arrays) expect(a.every((x) => x === 0)).toBe(true);
    arrays.forEach((a, i) => a.fill(i + 1));
    arrays.forEach((a, i) => expect(a.every((x) => x === i + 1)).toBe(true));
  });
  it("gives large arrays a buffer of their own", () => {
    const big = float64s(100_000);
    expect(big.length).toBe(100_000);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(800_000);
  });
});
