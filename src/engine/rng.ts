// Named, independent, seeded random streams. Each stream is seeded from (seed, name), so adding a
// stream (a new feature drawing numbers) never shifts the numbers another stream draws, and the same
// seed gives the same run on any machine. Alea (from seedrandom) is fast and passes the usual
// statistical batteries; it is pure JavaScript, so results do not depend on the platform.
// Its own module, not seedrandom's index: that one also loads the other generators and, at its
// evaluation, `require('crypto')` for auto-seeding, which meshsim never does — and Node's crypto
// costs ≈ 50 M instructions to load (`node -e 'require("node:crypto")'` against `node -e 0`).
import alea from "seedrandom/lib/alea.js";

export type UniformSource = () => number;

export class RandomStreams {
  private readonly streams = new Map<string, UniformSource>();
  constructor(readonly seed: number) {}

  /** Uniform numbers in [0, 1) for the named stream; the same name gives the same stream. */
  stream(name: string): UniformSource {
    let s = this.streams.get(name);
    if (s === undefined) {
      // The generator itself, not a wrapper: every draw is one call less (same numbers).
      s = alea(`${this.seed}\u0000${name}`);
      this.streams.set(name, s);
    }
    return s;
  }

  /**
   * The named stream, seeded at its first draw. For streams that most runs never draw from (a pod's
   * app errors without an error rate): seeding runs Alea's string hash six times, and a
   * 1,000-service mesh made 1,000 such streams that nothing read (docs/performance.md, Goal 4,
   * session 21 `scale9`). A stream's numbers depend only on (seed, name), so when it is seeded does
   * not change them. One call more per draw: not for streams drawn per request in every run.
   */
  lazy(name: string): UniformSource {
    let s: UniformSource | undefined;
    return () => (s ??= this.stream(name))();
  }
}
