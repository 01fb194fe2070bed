// metrics-server's view of a container (kubernetes-sigs/metrics-server pkg/storage/pod.go): the CPU
// rate between the last two scrapes, a zero point at the start of a container between 10 s and one
// resolution old, nothing for a younger one; values rounded up to millicores.
import { describe, expect, it } from "vitest";
import { MetricsServer } from "../../src/mesh/kube/metrics-server.js";
import { CpuUsage } from "../../src/telemetry/cpu-usage.js";

function busy(from: number, to: number, cores: number): CpuUsage {
  const u = new CpuUsage();
  u.add(from, to, cores);
  return u;
}

describe("metrics-server", () => {
  const ms = new MetricsServer(15_000);
  const one = (cpu: CpuUsage, memory = 0) => [{ name: "app", cpu, memoryBytes: () => memory }];

  it("reports the rate over the last 15 s window, at the last scrape", () => {
    const m = ms.podMetrics(-Infinity, one(busy(0, 60_000, 0.25), 100), 37_000);
    expect(m).toEqual({ timestampMs: 30_000, windowMs: 15_000, containers: [{ name: "app", cpuMilli: 250, memoryMilli: 100_000 }] });
  });

  it("has nothing before its second scrape for a pod that ran before the run (no point before 0)", () => {
    expect(ms.podMetrics(-Infinity, one(busy(0, 60_000, 1)), 14_000)).toBeNull();
    expect(ms.podMetrics(-Infinity, one(busy(0, 60_000, 1)), 15_000)).not.toBeNull();
  });

  it("a fresh container gets a zero point at its start when it is 10 s to 15 s old; younger, nothing", () => {
    const u = busy(22_000, 30_000, 0.5);
    expect(ms.podMetrics(22_000, one(u), 30_000)).toBeNull();
    const m = ms.podMetrics(19_000, one(busy(19_000, 30_000, 0.5)), 30_000)!;
    expect(m.windowMs).toBe(11_000);
    expect(m.containers[0]!.cpuMilli).toBe(500);
  });

  it("truncates the rate to whole nanocores before the HPA rounds up to millicores (types.go resourceUsage: uint64(cpuUsage))", () => {
    // 0.1000000005 cores: 100,000,000.5 nanocores → 100,000,000 → 100m, not 101m.
    expect(ms.podMetrics(-Infinity, one(busy(15_000, 30_000, 0.1000000005)), 30_000)!.containers[0]!.cpuMilli).toBe(100);
    // One whole nanocore over 100m is 101m (MilliValue rounds up).
    expect(ms.podMetrics(-Infinity, one(busy(15_000, 30_000, 0.100000001)), 30_000)!.containers[0]!.cpuMilli).toBe(101);
  });

  it("rounds CPU up to whole millicores, as Quantity.MilliValue does", () => {
    const m = ms.podMetrics(-Infinity, one(busy(15_000, 15_001, 1)), 30_000)!;
    expect(m.containers[0]!.cpuMilli).toBe(1);
  });
});
