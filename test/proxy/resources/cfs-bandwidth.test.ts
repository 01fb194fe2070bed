// The CFS quota of Envoy's workers: exact while it does not bind, a stall to the next period when it
// does, and a long-run throughput of quota/period whatever the offered load.
import { describe, expect, it } from "vitest";
import { RandomStreams } from "../../../src/engine/rng.js";
import { CfsBandwidth } from "../../../src/proxy/resources/cfs-bandwidth.js";
import { WorkerThreads } from "../../../src/proxy/resources/worker-threads.js";

describe("CfsBandwidth", () => {
  it("changes no time while the quota is not spent (ends are start + work exactly)", () => {
    const b = new CfsBandwidth(100, 50);
    const u = new RandomStreams(1).stream("x");
    let t = 0;
    for (let i = 0; i < 1000; i++) {
      t += u() * 10;
      const w = u() * 0.3;
      expect(b.run(t, w)).toBe(t + w);
    }
    expect(b.throttledPeriods).toBe(0);
    expect(b.periods).toBeGreaterThan(40); // ≈ 5 s of arrivals
  });

  it("stalls a thread that finds the quota spent until the next period and counts the period throttled", () => {
    const b = new CfsBandwidth(100, 50);
    let t = 0;
    for (let i = 0; i < 50; i++) t = b.run(t, 1);
    expect(t).toBe(50);
    // The 51st millisecond waits for period 1's refill.
    expect(b.run(t, 1)).toBe(101);
    expect(b.throttledPeriods).toBe(1);
    // A piece larger than what is left splits across the refill: 49 ms left in period 1, then 11 ms in period 2.
    expect(b.run(101, 60)).toBe(211);
    expect(b.throttledPeriods).toBe(2);
    expect(b.periods).toBe(3);
  });

  it("keeps a period's use in its ring slot until a period 256 later takes the slot, and then starts it empty", () => {
    const b = new CfsBandwidth(100, 50);
    b.charge(3_000, 45); // period 30, slot 30
    expect(b.run(3_010, 10)).toBe(3_105); // 5 ms left in period 30, then 5 ms of period 31
    expect(b.throttledPeriods).toBe(1);
    // Period 30 + 256 shares slot 30: it starts empty, so its 50 ms fit.
    b.charge(28_600, 40);
    expect(b.run(28_610, 10)).toBe(28_620);
    expect(b.throttledPeriods).toBe(1);
    // Far periods (k ≥ 2^16) map to the same slots as k % 256.
    b.charge(6_553_600 * 100 + 1, 49);
    expect(b.run(6_553_600 * 100 + 2, 2)).toBe(6_553_600 * 100 + 101);
  });

  it("the main thread's CPU spends the quota without being delayed itself", () => {
    const b = new CfsBandwidth(100, 50);
    b.charge(0, 49.5);
    expect(b.run(10, 1)).toBe(100.5);
    expect(b.throttledPeriods).toBe(1);
  });

  it("charges the main thread to the period its time falls in, with or without the last run's period at hand", () => {
    // charge's short cut (the slot `run` used last) must give the slot Math.floor(at / period) gives:
    // compared with a twin that only charges through the division (a period no run touched first).
    const u = new RandomStreams(3).stream("charges");
    for (let i = 0; i < 2_000; i++) {
      const k = Math.floor(u() * 1_000);
      const start = k * 100 + u() * 100;
      const at = start + (u() < 0.5 ? u() * 100 : 99 - u() * 1e-9); // inside the period, near its end too
      const a = new CfsBandwidth(100, 50);
      const b = new CfsBandwidth(100, 50);
      a.run(start, 1); // a's last period is start's: its charge may take the short cut
      a.charge(at, 40);
      b.charge(at, 40);
      b.run(start, 1);
      // 11 ms at the start of at's period: they fit only where that period holds no charge.
      expect(a.run(Math.floor(at / 100) * 100, 11)).toBe(b.run(Math.floor(at / 100) * 100, 11));
    }
    // Just under a period's end and just past it: the division's period each time.
    const c = new CfsBandwidth(100, 50);
    c.run(150, 1);
    c.charge(199.999, 45); // period 1 (within 1 ms of its end: by the division): 46 ms used
    expect(c.run(150, 5)).toBe(201); // 4 ms fit, the last 1 ms after period 2's refill
    c.charge(200, 49); // period 2, the one run used last: 50 ms used
    expect(c.run(200, 2)).toBe(302); // nothing left in period 2: both ms in period 3
  });

  it("runCharging gives the same ends, periods and throttles as run then charge, the quota binding or not", () => {
    // SidecarCpu.pass books a pass and its main thread's share (src/mesh/sidecar/sidecar-cpu.ts pass):
    // the fused booking must leave every period's use as the two calls did, near a period's end and
    // when the quota stalls the worker, and take no period for a zero share (charge was skipped then).
    for (const quota of [50, 5]) {
      const u = new RandomStreams(11).stream("passes");
      const a = new CfsBandwidth(100, quota);
      const b = new CfsBandwidth(100, quota);
      let t = 0;
      for (let i = 0; i < 20_000; i++) {
        t += u() < 0.02 ? 99 - u() * 1e-6 : u() * 0.5;
        const work = u() * 0.2;
        const main = u() < 0.1 ? 0 : u() * 0.05;
        const end = b.run(t, work);
        if (main > 0) b.charge(t, main);
        expect(a.runCharging(t, work, main)).toBe(end);
      }
      expect(a.periods).toBe(b.periods);
      expect(a.throttledPeriods).toBe(b.throttledPeriods);
      if (quota === 5) expect(a.throttledPeriods).toBeGreaterThan(10);
      // What is left in each of the last periods: a piece as large as the quota in each.
      for (let k = Math.floor(t / 100) - 20; k <= Math.floor(t / 100); k++) expect(a.run(k * 100, quota)).toBe(b.run(k * 100, quota));
    }
  });

  it("caps one worker's throughput at the limit: 0.8 cores offered to a 0.5-core limit take 1.6 times as long", () => {
    // Poisson passes of 0.1 ms at 8 per ms for 10 s: 8,000 ms of CPU; at 0.5 cores the last ends ≈ 16,000 ms.
    const w = new WorkerThreads(1, new CfsBandwidth(100, 50));
    const u = new RandomStreams(7).stream("arrivals");
    let t = 0;
    let end = 0;
    let work = 0;
    while (t < 10_000) {
      t += -Math.log(1 - u()) / 8;
      end = w.run(0, t, 0.1, 0);
      work += 0.1;
    }
    expect(Math.abs(end - work / 0.5) / (work / 0.5)).toBeLessThan(0.01);
    // Every period from the first saturated one on was throttled.
    expect(w.bandwidth!.throttledPeriods).toBeGreaterThan(155);
  });
});
