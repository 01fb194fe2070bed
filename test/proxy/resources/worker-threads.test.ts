// A worker is a FIFO single server: unit cases, then M/G/1 against Pollaczek–Khinchine.
import { describe, expect, it } from "vitest";
import { RandomStreams } from "../../../src/engine/rng.js";
import { Simulator } from "../../../src/engine/simulator.js";
import { WorkerThreads } from "../../../src/proxy/resources/worker-threads.js";
import { mg1MeanResponse } from "../../support/queueing.js";

describe("WorkerThreads", () => {
  it("queues a pass behind earlier work on the same worker, not on another worker", () => {
    const w = new WorkerThreads(2);
    expect(w.run(0, 0, 1, 0)).toBe(1);
    expect(w.run(0, 0.5, 1, 0)).toBe(2); // waited 0.5 ms
    expect(w.run(1, 0.5, 1, 0)).toBe(1.5); // other worker idle
    expect(w.waitMs).toBeCloseTo(0.5, 12);
    expect(w.maxWaitMs).toBeCloseTo(0.5, 12);
  });
  it("work after a response delays the worker's next pass, not the response", () => {
    const w = new WorkerThreads(1);
    expect(w.run(0, 0, 0.2, 0)).toBeCloseTo(0.2, 12);
    w.runAfter(0, 0.3, 0.1); // telemetry once the response left at 0.3
    expect(w.run(0, 0.35, 0.2, 0)).toBeCloseTo(0.6, 12);
    expect(w.totalBusyMs()).toBeCloseTo(0.5, 12);
  });
  it("pins uniformly over the workers", () => {
    const w = new WorkerThreads(4);
    const u = new RandomStreams(3).stream("pin");
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[w.pin(u())]!++;
    // Binomial(40000, 1/4): sd ≈ 87; 5 sd.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(435);
    expect(w.pin(0.999999999)).toBe(3);
  });
  it("rejects a non-positive or fractional concurrency", () => {
    expect(() => new WorkerThreads(0)).toThrow();
    expect(() => new WorkerThreads(1.5)).toThrow();
  });
});

// One worker fed Poisson passes on the event loop (service: exponential 0.15 ms + constant 0.05 ms)
// is an M/G/1: the mean time from arrival to the pass's end must match Pollaczek–Khinchine's W
// (10 replications, 4 standard errors). A second stream of work booked after each response (as
// telemetry is) must then show in the worker's busy time as λ·E[after] more utilisation.
describe("a worker at utilisation ρ is an M/G/1 (Pollaczek–Khinchine)", () => {
  for (const rho of [0.5, 0.8]) {
    it(`ρ = ${rho}: mean wait + service within 4 standard errors of P–K`, () => {
      const diffs: number[] = [];
      // Service = onPath + after with onPath ~ exponential(mean 0.15), after = constant 0.05:
      // E[S] = 0.2, E[S²] = Var + mean² = 0.15² + 0.2² = 0.0625.
      const meanS = 0.2;
      const m2 = 0.15 ** 2 + 0.2 ** 2;
      const lambda = rho / meanS;
      for (let rep = 0; rep < 10; rep++) {
        const rng = new RandomStreams(100 + rep);
        const arr = rng.stream("arrivals");
        const svc = rng.stream("service");
        const w = new WorkerThreads(1);
        const sim = new Simulator();
        let sum = 0;
        let n = 0;
        const warm = 2_000;
        const doneKind = sim.on((p: { t0: number }) => {
          if (p.t0 > warm) { sum += sim.now - p.t0; n++; }
        });
        const arrive = sim.on(() => {
          const on = -Math.log(1 - svc()) * 0.15 + 0.05;
          sim.at(w.run(0, sim.now, on, 0), doneKind, { t0: sim.now });
          sim.after(-Math.log(1 - arr()) / lambda, arrive);
        });
        sim.at(0, arrive);
        sim.run(120_000);
        diffs.push(sum / n - mg1MeanResponse(lambda, meanS, m2));
      }
      const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
      const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
      expect(Math.abs(mean) / (sd / Math.sqrt(diffs.length))).toBeLessThan(4);
      expect(Math.abs(mean) / mg1MeanResponse(lambda, meanS, m2)).toBeLessThan(0.03);
    });
  }
});

describe("work after responses adds to a worker's utilisation", () => {
  it("busy time = λ·(E[on-path] + E[after]) · T within 2%", () => {
    const rng = new RandomStreams(9);
    const arr = rng.stream("arrivals");
    const w = new WorkerThreads(1);
    const sim = new Simulator();
    const lambda = 2; // per ms; on 0.2 + after 0.1 ⇒ ρ = 0.6
    const doneKind = sim.on(() => w.runAfter(0, sim.now, 0.1));
    const arrive = sim.on(() => {
      sim.at(w.run(0, sim.now, 0.2, 0) + 0.3, doneKind);
      sim.after(-Math.log(1 - arr()) / lambda, arrive);
    });
    sim.at(0, arrive);
    sim.run(50_000);
    expect(Math.abs(w.totalBusyMs() / 50_000 / 0.6 - 1)).toBeLessThan(0.02);
  });
});
