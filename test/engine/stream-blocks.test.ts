// RandomStreams' streams hand out Alea's numbers made 8 at a time (src/engine/rng.ts `inBlocks`): a
// read small enough for TurboFan to inline, so no draw comes back boxed (docs/performance.md, Goal 2,
// session 28 `box15`). The numbers must be Alea's own, in its order, whatever the interleaving of
// streams and however many draws cross a block's end.
import { describe, expect, it } from "vitest";
import alea from "seedrandom/lib/alea.js";
import { RandomStreams } from "../../src/engine/rng.js";

describe("a stream's numbers in blocks", () => {
  it("are the generator's own numbers, in order, across block ends and interleaved streams", () => {
    const rng = new RandomStreams(42);
    const a = rng.stream("a"), b = rng.stream("b");
    const refA = alea("42\u0000a"), refB = alea("42\u0000b");
    // Uneven runs of draws from each stream, so that reads cross the 8-number blocks at every offset.
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < (round % 11) + 1; i++) expect(a()).toBe(refA());
      for (let i = 0; i < (round % 5) + 1; i++) expect(b()).toBe(refB());
    }
  });
});
