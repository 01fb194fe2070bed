import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES, monthlyCost } from "../../src/telemetry/resource-cost.js";
import { CpuUsage } from "../../src/telemetry/cpu-usage.js";

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
