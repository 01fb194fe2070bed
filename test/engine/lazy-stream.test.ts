// RandomStreams.lazy: the named stream, seeded at its first draw (src/engine/rng.ts). A pod's app
// errors draw from one (src/mesh/kube/pod-controller.ts runApp), and most runs never draw from it
// (docs/performance.md, Goal 4, session 21 `scale9`). Its numbers must be the eager stream's, and
// seeding must wait for the first draw.
import { afterEach, describe, expect, it, vi } from "vitest";
import { RandomStreams } from "../../src/engine/rng.js";

afterEach(() => vi.restoreAllMocks());

describe("RandomStreams.lazy", () => {
  it("draws the numbers the eager stream of the same name draws", () => {
    const eager = new RandomStreams(42).stream("app-errors:default/a");
    const lazy = new RandomStreams(42).lazy("app-errors:default/a");
    for (let i = 0; i < 100; i++) expect(lazy()).toBe(eager());
  });

  it("shares the generator with stream() of the same name, whichever comes first", () => {
    const rng = new RandomStreams(7);
    const lazy = rng.lazy("x");
    const first = lazy();
    const eager = rng.stream("x");
    const reference = new RandomStreams(7).stream("x");
    expect(first).toBe(reference());
    // The eager handle continues the same sequence: one generator, as before lazy seeding.
    expect(eager()).toBe(reference());
    expect(lazy()).toBe(reference());
  });

  it("seeds nothing until the first draw", () => {
    const rng = new RandomStreams(1);
    const made = vi.spyOn(rng, "stream");
    const lazy = rng.lazy("never-drawn");
    expect(made).not.toHaveBeenCalled();
    lazy();
    lazy();
    expect(made).toHaveBeenCalledTimes(1);
  });
});
