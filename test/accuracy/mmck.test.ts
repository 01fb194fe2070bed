// A finite waiting room: `queueLimit` is the number of requests that may wait beyond the
// `concurrency` being served, so a pod holds at most K = concurrency + queueLimit and turns the
// rest away with its own 503. With Poisson arrivals and exponential service that is M/M/c/K: the
// share of 503s is p_K (arrivals see time averages), Erlang's loss formula B(c, a) when
// queueLimit is 0, and the admitted requests' mean response is L / (λ(1 − p_K)) by Little's law.
// Tolerance: 4 standard errors over 8 replications. (The 503s take no time here — no network, no
// mesh — so the admitted mean is the overall mean × all requests / admitted ones.)
import { describe, expect, it } from "vitest";
import { erlangB, mmck } from "../support/queueing.js";
import { estimate, runQueue, zScore } from "../support/queue-scenario.js";

function measure(c: number, queueLimit: number, ratePerS: number, threading: "blocking" | "async") {
  const blocked: number[] = [];
  const admittedMean: number[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const s = runQueue({
      stations: [{ name: "server", concurrency: c, queueLimit, threading, script: "[{compute: {dist: exponential, mean: 1ms}}]" }],
      load: { rate: ratePerS }, durationS: 60, warmupS: 2,
    }, seed);
    const u = s.clients["users"]!;
    const ok = u.codes["200"] ?? 0;
    const shed = u.codes["503"] ?? 0;
    expect(ok + shed).toBe(u.requests);
    blocked.push(shed / u.requests);
    admittedMean.push((u.latencyMs.mean * u.requests) / ok);
  }
  return { blocked: estimate(blocked), admittedMean: estimate(admittedMean) };
}

describe("M/M/c/K: queueLimit is the waiting room beyond the slots being served", () => {
  for (const threading of ["blocking", "async"] as const) {
    it(`${threading}: queueLimit 0 loses Erlang B(c, a) of the requests (c=3, a=2.5)`, () => {
      const m = measure(3, 0, 2500, threading);
      const b = erlangB(3, 2.5);
      expect(mmck(3, 3, 2.5, 1).blocking).toBeCloseTo(b, 12);
      expect(zScore(m.blocked, b)).toBeLessThan(4);
      // With no waiting, an admitted request's response is its service time.
      expect(zScore(m.admittedMean, 1)).toBeLessThan(4);
    });
  }

  for (const [c, queueLimit, rate] of [[2, 3, 1800], [1, 2, 900], [4, 6, 4400]] as const) {
    it(`c=${c}, queueLimit=${queueLimit}, a=${rate / 1000}: 503 share and admitted mean response within 4 standard errors`, () => {
      const m = measure(c, queueLimit, rate, "blocking");
      const th = mmck(c, c + queueLimit, rate / 1000, 1);
      expect(zScore(m.blocked, th.blocking)).toBeLessThan(4);
      expect(zScore(m.admittedMean, th.meanResponse)).toBeLessThan(4);
      // Read as "K in the system" instead, the share would be far off: the test tells them apart.
      const inSystem = mmck(c, Math.max(c, queueLimit), rate / 1000, 1).blocking;
      expect(zScore(m.blocked, inSystem)).toBeGreaterThan(20);
    });
  }
});
