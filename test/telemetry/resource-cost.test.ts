import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES, monthlyCost } from "../../src/telemetry/resource-cost.js";
import { CpuUsage } from "../../src/telemetry/cpu-usage.js";
import { RandomStreams } from "../../src/engine/rng.js";

describe("monthlyCost", () => {
  it("one vCPU and one GB for a month at Fargate's us-east-1 prices", () => {
    const c = monthlyCost(DEFAULT_PRICES, 1, 1000);
    expect(c.cpu).toBeCloseTo(0.04048 * 730, 9);
    expect(c.memory).toBeCloseTo(0.004445 * 730, 9);
    expect(c.total).toBeCloseTo(c.cpu + c.memory, 12);
  });
});

describe("CpuUsage", () => {
  it("splits a stretch over the 1 s windows it crosses", () => {
    const u = new CpuUsage();
    u.add(500, 2500, 2); // 2 cores from 0.5 s to 2.5 s
    const s = u.summary(0, 3000);
    expect(s.max).toBeCloseTo(2, 12);
    expect(s.mean).toBeCloseTo((1 + 2 + 1 + 0) / 3, 12);
    expect(u.totalMs).toBeCloseTo(4000, 9);
  });
  it("addTwo books the same sums as two adds, in the same order", () => {
    // SidecarCpu.pass books a pass and its main thread's share at once (src/mesh/sidecar/sidecar-cpu.ts
    // pass): every total must be the double two adds give (adding d1 + d2 at once would round
    // differently), inside one window, across windows, and for empty stretches (SidecarCpu.pass books its
    // main thread's share through addTwo even when it is 0).
    const r = new RandomStreams(5).stream("stretches");
    const a = new CpuUsage();
    const b = new CpuUsage();
    // Stretches in a few windows, some across two; lengths with all 53 bits (a quotient: the draws
    // have 32), so that the sums round as a pass's do.
    const t = 5_000;
    for (let i = 0; i < 20_000; i++) {
      const from = Math.floor(i / 4_000) * 1_000 + r() * 999;
      const f1 = from;
      const t1 = f1 + (r() < 0.05 ? 0 : 0.3 / (1 + 7 * r()));
      const f2 = from + (r() < 0.01 ? 1_200 : r() * 0.2);
      const t2 = f2 + (r() < 0.05 ? 0 : 0.05 / (1 + 7 * r())); // empty: a proxy with no main-thread share
      a.addTwo(f1, t1, f2, t2);
      b.add(f1, t1, 1);
      b.add(f2, t2, 1);
    }
    expect(a.totalMs).toBe(b.totalMs);
    expect(a.series(0, t, 1000)).toEqual(b.series(0, t, 1000));
    for (let s = 0; s + 1000 < t; s += 1000) expect(a.coreMsBetween(s, s + 1000)).toBe(b.coreMsBetween(s, s + 1000));
  });
  it("a usage's first stretches, booked through spread with no window range kept, give the sums a kept range gives", () => {
    // CpuUsage.spread leaves the last window's range empty for a usage's first 64 stretches, so that
    // add's call of spread has feedback before its callers are optimized (docs/performance.md, Goal 2,
    // session 29); each window's sum and the total must still be the doubles of one addition per
    // stretch and window, in booking order, before, at and after the range is first kept.
    const r = new RandomStreams(29).stream("early");
    const u = new CpuUsage();
    const windows = [0, 0, 0, 0, 0, 0];
    let total = 0;
    let from = 0;
    for (let i = 0; i < 400; i++) {
      const to = from + (i % 61 === 60 ? 700 : 3 / (1 + 7 * r()));
      const cores = i % 3 === 0 ? 1 : 0.25 + r();
      u.add(from, to, cores);
      total += (to - from) * cores;
      for (let k = Math.floor(from / 1000), t = from; t < to; k++) {
        const end = Math.min(to, (k + 1) * 1000);
        windows[k]! += (end - t) * cores;
        t = end;
      }
      from = to + r();
    }
    expect(from).toBeGreaterThan(4000);
    expect(u.totalMs).toBe(total);
    for (let k = 0; k < windows.length; k++) expect(u.coreMsBetween(k * 1000, (k + 1) * 1000)).toBe(windows[k]);
  });

  it("p99 over windows is the nearest-rank 99th percentile", () => {
    const u = new CpuUsage();
    for (let k = 0; k < 100; k++) u.add(k * 1000, k * 1000 + 10 * k, 1); // window k: 0.01·k cores
    const s = u.summary(0, 100_000);
    expect(s.p99).toBeCloseTo(0.98, 12);
    expect(s.max).toBeCloseTo(0.99, 12);
  });
  it("leaves windows before the warm-up out", () => {
    const u = new CpuUsage();
    u.add(0, 1000, 4);
    u.add(1000, 2000, 1);
    expect(u.summary(1000, 2000).mean).toBeCloseTo(1, 12);
  });
});
