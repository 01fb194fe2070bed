import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { share } from "../../src/report/share.js";

describe("share: a count as a percentage for reading", () => {
  it("two significant digits", () => {
    expect(share(5, 103)).toBe("4.9%");
    expect(share(958, 6797)).toBe("14%");
    expect(share(1, 3)).toBe("33%");
  });

  it("15 errors in 200,000 requests is not 0% (issue 20 item 8)", () => {
    expect(share(15, 200_000)).toBe("0.0075%");
    expect(share(1, 1e9)).toBe("1e-7%");
  });

  it("none is 0% and all is 100%; almost all is not 100%", () => {
    expect(share(0, 100)).toBe("0%");
    expect(share(0, 0)).toBe("0%");
    expect(share(7, 7)).toBe("100%");
    expect(share(99_999, 100_000)).toBe("99.999%");
  });

  it("never reads 0% when some failed nor 100% when some did not, and the figure is within 5% of the truth", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), (whole, k) => {
      const part = k % (whole + 1);
      const text = share(part, whole);
      const v = Number(text.slice(0, -1));
      if (part === 0) return text === "0%";
      if (part === whole) return text === "100%";
      const truth = (100 * part) / whole;
      return v > 0 && v < 100 && Math.abs(v - truth) <= 0.05 * truth;
    }), { numRuns: 500 });
  });
});
