// The processor-sharing server: exact small cases, CFS bandwidth throttling, and the M/G/1-PS mean
// E[T] = E[S]/(1 − ρ) (insensitive to the service distribution beyond its mean).
import { describe, expect, it } from "vitest";
import { RandomStreams } from "../../src/engine/rng.js";
import { Simulator } from "../../src/engine/simulator.js";
import { ProcessorSharing } from "../../src/engine/processor-sharing.js";

function rig(o: ConstructorParameters<typeof ProcessorSharing<string>>[1]) {
  const sim = new Simulator();
  const done: Record<string, number> = {};
  const ps = new ProcessorSharing<string>(sim, o, (p) => (done[p] = sim.now));
  const submitAt = sim.on((x: { w: number; p: string }) => ps.submit(x.w, x.p));
  return { sim, ps, done, at: (t: number, w: number, p: string) => sim.at(t, submitAt, { w, p }) };
}

describe("ProcessorSharing, exact cases", () => {
  it("one core shared by two jobs: each at half speed while both run", () => {
    const r = rig({ capacity: 1 });
    r.at(0, 2, "a");
    r.at(0, 1, "b");
    r.sim.run();
    expect(r.done["b"]).toBeCloseTo(2, 9); // 1 ms of work at 0.5 core
    expect(r.done["a"]).toBeCloseTo(3, 9); // 1 ms at 0.5, then 1 ms alone
    expect(r.ps.workDoneMs).toBeCloseTo(3, 9);
  });
  it("a thread never uses more than one core, however large the node", () => {
    const r = rig({ capacity: Infinity });
    r.at(0, 5, "a");
    r.at(1, 5, "b");
    r.sim.run();
    expect(r.done["a"]).toBeCloseTo(5, 9);
    expect(r.done["b"]).toBeCloseTo(6, 9);
  });
  it("a CFS quota of 50 ms per 100 ms stalls a 100 ms burst until the next period (throttled once)", () => {
    const r = rig({ capacity: Infinity, quota: { periodMs: 100, amount: 50 } });
    r.at(0, 100, "a");
    r.sim.run();
    r.ps.finish();
    expect(r.done["a"]).toBeCloseTo(150, 9);
    expect(r.ps.throttledPeriods).toBe(1);
    expect(r.ps.periods).toBe(2);
    expect(r.ps.throttledMs).toBeCloseTo(50, 9);
  });
  it("four threads under a 1-core limit spend the quota in 25 ms and wait 75 ms (issue istio#61683's shape)", () => {
    const r = rig({ capacity: 8, quota: { periodMs: 100, amount: 100 } });
    for (const p of ["a", "b", "c", "d"]) r.at(0, 40, p);
    r.sim.run();
    for (const p of ["a", "b", "c", "d"]) expect(r.done[p]).toBeCloseTo(115, 9);
    expect(r.ps.throttledPeriods).toBe(1);
  });
  it("without throttling the quota changes nothing", () => {
    const r = rig({ capacity: 8, quota: { periodMs: 100, amount: 100 } });
    r.at(0, 40, "a");
    r.at(200, 40, "b");
    r.sim.run();
    expect(r.done["a"]).toBeCloseTo(40, 9);
    expect(r.done["b"]).toBeCloseTo(240, 9);
    expect(r.ps.throttledPeriods).toBe(0);
  });
  it("reports every stretch of use to onUsage, summing to the work done", () => {
    let sum = 0;
    const r = rig({ capacity: 2, onUsage: (a, b, c) => (sum += (b - a) * c) });
    r.at(0, 3, "a");
    r.at(1, 3, "b");
    r.at(1, 3, "c");
    r.sim.run();
    expect(sum).toBeCloseTo(9, 9);
    expect(r.ps.workDoneMs).toBeCloseTo(9, 9);
  });
});

describe("M/G/1-PS mean response E[S]/(1 − ρ)", () => {
  for (const [name, draw] of [
    ["deterministic 1 ms", () => 1],
    ["hyperexponential, mean 1 ms, CV² ≈ 4", (u: () => number) => (u() < 0.2 ? -Math.log(1 - u()) * 3.4 : -Math.log(1 - u()) * 0.4)],
  ] as const) {
    for (const rho of [0.5, 0.8]) {
      it(`${name}, ρ = ${rho}: within 4 standard errors over 10 replications, and 3%`, () => {
        const diffs: number[] = [];
        let theory = 0;
        for (let rep = 0; rep < 10; rep++) {
          const rng = new RandomStreams(500 + rep);
          const arr = rng.stream("arrivals");
          const svc = rng.stream("service");
          const sim = new Simulator();
          let sum = 0;
          let n = 0;
          let work = 0;
          let jobs = 0;
          const ps = new ProcessorSharing<number>(sim, { capacity: 1 }, (t0) => {
            if (t0 > 2_000) { sum += sim.now - t0; n++; }
          });
          const arrive = sim.on(() => {
            const s = typeof draw === "function" ? (draw as (u: () => number) => number)(svc) : 1;
            work += s;
            jobs++;
            ps.submit(s, sim.now);
            sim.after(-Math.log(1 - arr()) * (1 / rho), arrive);
          });
          sim.at(0, arrive);
          sim.run(150_000);
          const meanS = work / jobs;
          theory = 1 / (1 - rho);
          diffs.push(sum / n - meanS / (1 - rho));
        }
        const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
        const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
        expect(Math.abs(mean) / (sd / Math.sqrt(diffs.length))).toBeLessThan(4);
        expect(Math.abs(mean) / theory).toBeLessThan(0.03);
      });
    }
  }
});

describe("a saturated container runs at its limit", () => {
  it("offered 2 cores against a 0.5-core quota: 0.5 cores used, every period throttled", () => {
    const sim = new Simulator();
    const ps = new ProcessorSharing<null>(sim, { capacity: 4, quota: { periodMs: 100, amount: 50 } }, () => {});
    const tick = sim.on(() => {
      ps.submit(2, null);
      sim.after(1, tick);
    });
    sim.at(0, tick);
    sim.run(10_000);
    ps.finish();
    expect(ps.workDoneMs / 10_000).toBeCloseTo(0.5, 3);
    expect(ps.throttledPeriods).toBeGreaterThanOrEqual(99);
  });
});
