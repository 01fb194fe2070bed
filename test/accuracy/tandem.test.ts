// A tandem (Jackson) network: `front` computes (exponential, mean 1 ms, 2 slots) then calls `back`
// (exponential, mean 1 ms, 1 slot). With async threading the front's slot is free while it waits on
// the call, so the two stations are independent M/M/c queues in series (Burke: an M/M/c queue's
// departures are Poisson) and the mean end-to-end time is the sum of their means. With blocking
// threading a request holds its front slot through the call too, so the front's slots are busy for
// λ·(front compute + back response): more load on the front, and a front that saturates where the
// async one does not. Tolerance: 4 standard errors over 8 replications.
import { describe, expect, it } from "vitest";
import { mmcMeanResponse } from "../support/queueing.js";
import { estimate, runQueue, zScore, type QueueScenario } from "../support/queue-scenario.js";

function tandem(threading: "async" | "blocking", frontSlots: number, ratePerS: number, durationS: number): QueueScenario {
  return {
    stations: [
      { name: "front", concurrency: frontSlots, threading, script: `[{compute: {dist: exponential, mean: 1ms}}, {call: {to: "back:8080/", timeout: 1h}}]` },
      { name: "back", concurrency: 1, script: "[{compute: {dist: exponential, mean: 1ms}}]" },
    ],
    load: { rate: ratePerS }, durationS, warmupS: 2,
  };
}

function measure(q: QueueScenario) {
  const mean: number[] = [], frontBusy: number[] = [], backBusy: number[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const s = runQueue(q, seed);
    mean.push(s.clients["users"]!.latencyMs.mean);
    frontBusy.push(s.pods["front-0"]!.meanBusy);
    backBusy.push(s.pods["back-0"]!.meanBusy);
  }
  return { mean: estimate(mean), frontBusy: estimate(frontBusy), backBusy: estimate(backBusy) };
}

describe("tandem network", () => {
  it("async threading: the mean end-to-end time is the sum of the two M/M/c means (Jackson)", () => {
    const lambda = 0.4;
    const m = measure(tandem("async", 2, 400, 100));
    const theory = mmcMeanResponse(2, lambda, 1) + mmcMeanResponse(1, lambda, 1);
    expect(zScore(m.mean, theory)).toBeLessThan(4);
    // Slots are held only while computing: λ × 1 ms at each station.
    expect(zScore(m.frontBusy, lambda)).toBeLessThan(4);
    expect(zScore(m.backBusy, lambda)).toBeLessThan(4);
  });

  it("blocking threading holds the front's slots through the call: busier front, longer end-to-end time", () => {
    const lambda = 0.4;
    const a = measure(tandem("async", 2, 400, 100));
    const b = measure(tandem("blocking", 2, 400, 100));
    // The back's work is the same either way.
    expect(zScore(b.backBusy, lambda)).toBeLessThan(4);
    // A slot is held from the front's compute through the back's answer: at least compute + back
    // service (λ·2 ms), at most the whole end-to-end time (λ·W).
    expect(b.frontBusy.mean).toBeGreaterThan(lambda * 2 + 4 * b.frontBusy.se);
    expect(b.frontBusy.mean).toBeLessThan(lambda * b.mean.mean);
    expect(b.frontBusy.mean).toBeGreaterThan(2 * a.frontBusy.mean);
    const diff = b.mean.mean - a.mean.mean;
    expect(diff).toBeGreaterThan(4 * Math.hypot(a.mean.se, b.mean.se));
  });

  it("at 600 rps one front slot suffices with async threading but saturates with blocking", () => {
    const async1 = runQueue(tandem("async", 1, 600, 20), 1);
    const blocking1 = runQueue(tandem("blocking", 1, 600, 20), 1);
    // Async: two M/M/1 queues at ρ = 0.6, 2.5 ms each.
    expect(Math.abs(async1.clients["users"]!.latencyMs.mean / 5 - 1)).toBeLessThan(0.1);
    // Blocking: every request holds the slot ≥ 2 ms, so 600/s needs ≥ 1.2 slots; the queue grows.
    expect(blocking1.pods["front-0"]!.utilization).toBeGreaterThan(0.99);
    expect(blocking1.clients["users"]!.latencyMs.mean).toBeGreaterThan(100 * 5);
  });
});
