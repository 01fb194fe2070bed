// metrics-server as the HPA reads it (the resource metrics API, metrics.k8s.io): every
// --metric-resolution (15 s, as the released components.yaml sets it; the binary's own default,
// cmd/metrics-server/app/options/options.go NewOptions, is 60 s) it scrapes each kubelet's
// cumulative container CPU and current working set; a container's CPU is the rate between its last
// two points, reported with the later point's timestamp and the window between them. A container
// that started less than one resolution before a scrape (but at least 10 s before) gets a zero point
// at its start time instead of waiting for a second scrape; one younger than 10 s has no metric yet.
// https://github.com/kubernetes-sigs/metrics-server/blob/master/pkg/storage/pod.go (freshContainerMinMetricsResolution)
// https://github.com/kubernetes-sigs/metrics-server/blob/master/FAQ.md#how-cpu-usage-is-calculated
// Values are what the HPA reads: the rate truncated to nanocores (pkg/storage/types.go resourceUsage),
// then Quantity.MilliValue(), rounded up: millicores; bytes × 1000.
// Scrapes fall on multiples of the resolution (the first at 0, when metrics-server has no earlier
// point for anything); the HPA's syncs fall on the same instants, so a sync reads the scrape just made.
import type { CpuUsage } from "../../telemetry/cpu-usage.js";

/** --metric-resolution as metrics-server's released manifest sets it. */
export const METRIC_RESOLUTION_MS = 15_000;
/** freshContainerMinMetricsResolution (pkg/storage/pod.go). */
const FRESH_CONTAINER_MIN_MS = 10_000;

/** One container as the kubelet measures it. */
export interface MeasuredContainer {
  name: string;
  /** Its CPU over time (null: a container meshsim gives no CPU work, it uses none). */
  cpu: CpuUsage | null;
  /** Its working set now, bytes. */
  memoryBytes: () => number;
}

export interface ContainerMetric {
  name: string;
  cpuMilli: number;
  memoryMilli: number;
}

export interface PodMetrics {
  timestampMs: number;
  windowMs: number;
  containers: ContainerMetric[];
}

export class MetricsServer {
  constructor(readonly resolutionMs = METRIC_RESOLUTION_MS) {}

  /** The latest scrape at or before `nowMs`. */
  lastScrape(nowMs: number): number {
    return Math.floor(nowMs / this.resolutionMs + 1e-9) * this.resolutionMs;
  }

  /** A running pod's metrics as of the latest scrape (null: metrics-server has none for it yet). */
  podMetrics(startedAtMs: number, containers: readonly MeasuredContainer[], nowMs: number): PodMetrics | null {
    const s = this.lastScrape(nowMs);
    let from: number;
    if (s - startedAtMs >= this.resolutionMs) {
      from = s - this.resolutionMs;
      // Before the first scrape there is no point to take a rate from.
      if (from < 0) return null;
    } else if (s - startedAtMs >= FRESH_CONTAINER_MIN_MS) {
      from = startedAtMs;
    } else return null;
    const window = s - from;
    const out: ContainerMetric[] = [];
    for (const c of containers) {
      const coreMs = c.cpu === null ? 0 : c.cpu.coreMsBetween(from, s);
      out.push({ name: c.name, cpuMilli: cpuMilli(coreMs / window), memoryMilli: Math.ceil(c.memoryBytes() * 1000 - 1e-6) });
    }
    return { timestampMs: s, windowMs: window, containers: out };
  }
}

/**
 * metrics-server stores the rate as whole nanocores (pkg/storage/types.go resourceUsage:
 * uint64(cpuUsage), a truncation); the HPA reads Quantity.MilliValue(), which rounds up. The
 * 1e-6 nanocore absorbs floating-point noise below an exact count.
 */
function cpuMilli(cores: number): number {
  const nano = Math.floor(cores * 1e9 + 1e-6);
  return Math.ceil(nano / 1e6);
}
