// The closed-loop generator (fortio's -c N -qps 0) against exact closed-network results. N
// connections cycle through a "think" station (infinite servers, exponential mean Z: a Workload
// with unbounded concurrency that computes, then calls the server) and a server of c slots with
// exponential service of mean S — the machine-repairman model M/M/c//N. Its exact throughput and
// mean response at the server come from mean value analysis (c = 1) or the birth–death chain
// (any c); the client sees Z + R. With qps pacing, fortio's schedule: see below.
// Tolerance: 4 standard errors over 8 replications.
import { describe, expect, it } from "vitest";
import { closedMachineRepair, mvaSingleServer } from "../support/queueing.js";
import { estimate, runQueue, zScore, type QueueScenario } from "../support/queue-scenario.js";

function machineRepair(N: number, c: number, Z: number, S: number): QueueScenario {
  return {
    stations: [
      { name: "think", threading: "async", script: `[{compute: {dist: exponential, mean: ${Z}ms}}, {call: {to: "server:8080/", timeout: 1h}}]` },
      { name: "server", concurrency: c, script: `[{compute: {dist: exponential, mean: ${S}ms}}]` },
    ],
    load: { connections: N, qps: 0 },
    durationS: 60,
    warmupS: 1,
  };
}

function measure(q: QueueScenario) {
  const rps: number[] = [];
  const mean: number[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const u = runQueue(q, seed).clients["users"]!;
    expect(u.codes["200"]).toBe(u.requests);
    rps.push(u.rps);
    mean.push(u.latencyMs.mean);
  }
  return { rps: estimate(rps), mean: estimate(mean) };
}

describe("closed loop against the machine-repairman model", () => {
  it("mean value analysis and the birth–death chain agree (c = 1)", () => {
    for (const N of [1, 2, 5, 20]) {
      const a = mvaSingleServer(N, 4, 1), b = closedMachineRepair(N, 1, 4, 1);
      expect(a.throughput).toBeCloseTo(b.throughput, 12);
      expect(a.meanResponse).toBeCloseTo(b.meanResponse, 12);
    }
  });

  for (const [N, c, Z, S] of [[5, 1, 4, 1], [8, 2, 4, 1]] as const) {
    it(`N=${N} connections, c=${c}, Z=${Z} ms, S=${S} ms: throughput and mean response within 4 standard errors`, () => {
      const th = closedMachineRepair(N, c, Z, S);
      const m = measure(machineRepair(N, c, Z, S));
      expect(zScore(m.rps, th.throughput * 1000)).toBeLessThan(4);
      expect(zScore(m.mean, Z + th.meanResponse)).toBeLessThan(4);
      // The interactive response time law, R = N/X − Z, from the measured throughput.
      expect(Math.abs(N / (m.rps.mean / 1000) - Z - th.meanResponse)).toBeLessThan(0.02 * th.meanResponse);
    });
  }

  it("qps 0 keeps every connection busy: N connections on N slots serve N/S per ms", () => {
    const m = measure({ stations: [{ name: "server", concurrency: 3, script: "[{compute: {dist: exponential, mean: 1ms}}]" }], load: { connections: 3, qps: 0 }, durationS: 30, warmupS: 1 });
    expect(zScore(m.rps, 3000)).toBeLessThan(4);
    expect(zScore(m.mean, 1)).toBeLessThan(4);
  });

  // Fortio paces each connection to a schedule, request i at start + i·connections/qps, and catches
  // up after a slow answer by sending at once (periodic.go's runOne: it sleeps target − elapsed,
  // which is no sleep when behind). So the connection is a D/G/1 queue whose waiting happens in the
  // client: throughput is exactly qps while qps/connections < 1/E[S], and the latency it measures
  // (from the send) has no server queueing with one connection. Pacing each request from the last
  // send instead would give 1/(I + S·e^(−I/S)) = 651/s at qps 800 here.
  it("qps pacing catches up like fortio: one connection at qps 800 on exponential 1 ms service sends 800/s", () => {
    const m = measure({ stations: [{ name: "server", concurrency: 1, script: "[{compute: {dist: exponential, mean: 1ms}}]" }], load: { connections: 1, qps: 800 }, durationS: 60, warmupS: 1 });
    // The schedule is deterministic: only requests at the measured window's edges vary, so 0.1%.
    expect(Math.abs(m.rps.mean / 800 - 1)).toBeLessThan(0.001);
    expect(zScore(m.mean, 1)).toBeLessThan(4);
  });

  it("qps pacing over several connections: 4 connections at qps 1500 on 2 slots send 1500/s", () => {
    const m = measure({ stations: [{ name: "server", concurrency: 2, script: "[{compute: {dist: exponential, mean: 1ms}}]" }], load: { connections: 4, qps: 1500 }, durationS: 60, warmupS: 1 });
    expect(Math.abs(m.rps.mean / 1500 - 1)).toBeLessThan(0.001);
  });
});
