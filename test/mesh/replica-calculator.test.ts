// The HPA's replica calculation, table-driven from Kubernetes' own cases
// (kubernetes pkg/controller/podautoscaler/replica_calculator_test.go: TestReplicaCalc*). Their
// harness: two containers per pod ("container1", "container2"), each requesting the pod's request
// entry; metrics with a 1-minute window and a zero timestamp; the Ready condition without a
// lastTransitionTime; the testing CPU initialisation period 2 min and readiness delay 10 s;
// "hot" pods started within the initialisation period, "cool" ones before it.
import { describe, expect, it } from "vitest";
import {
  calculatePodRequests, DEFAULT_CALC, NO_METRICS, rawResourceReplicas, resourceReplicas, type CalcOptions, type PodMetric, type PodView,
} from "../../src/mesh/kube/replica-calculator.js";

const TESTING: CalcOptions = { tolerances: { scaleDown: 0.1, scaleUp: 0.1 }, cpuInitializationPeriodMs: 2 * 60_000, delayOfInitialReadinessStatusMs: 10_000 };
/** Go's zero time.Time, far in the past (finite, so zero + window stays after zero). */
const ZERO = -1e15;
const NOW = 1_000_000;
const HOT = NOW - 60_000;
const COOL = NOW - 10 * 60_000;

interface Case {
  name: string;
  current: number;
  expected?: number;
  readiness?: boolean[];
  start?: number[];
  phase?: PodView["phase"][];
  deleting?: boolean[];
  /** CPU request of each container of pod i (cores); absent entries: no request. */
  requests: number[];
  /** Per pod with metrics: the two containers' usage in millicores. */
  levels: [number, number][];
  /** Names for the metrics' pods (default test-pod-i). */
  podNames?: string[];
  target: number;
  utilization?: number;
  raw?: number;
  container?: string;
  error?: string;
}

const both = (...v: number[]): [number, number][] => v.map((x) => [x, x]);

function views(c: Case): PodView[] {
  const n = Math.max(c.current, c.phase?.length ?? 0);
  return Array.from({ length: n }, (_, i) => ({
    name: `test-pod-${i}`,
    phase: c.phase?.[i] ?? "Running",
    deleting: c.deleting?.[i] ?? false,
    ready: c.readiness?.[i] ?? true,
    readyTransitionMs: ZERO,
    startMs: c.start?.[i] ?? ZERO,
    containers: ["container1", "container2"].map((name) => ({ name, requestMilli: c.requests[i] === undefined ? undefined : c.requests[i]! * 1000 })),
  }));
}

function metrics(c: Case): Map<string, PodMetric> {
  const out = new Map<string, PodMetric>();
  c.levels.forEach((l, i) => {
    const value = c.container === "container2" ? l[1] : c.container === "container1" ? l[0] : l[0] + l[1];
    out.set(c.podNames?.[i] ?? `test-pod-${i}`, { value, timestampMs: ZERO, windowMs: 60_000 });
  });
  return out;
}

const CASES: Case[] = [
  { name: "DisjointResourcesMetrics", current: 1, requests: [1], levels: both(100), podNames: ["an-older-pod-name"], target: 100, error: "no metrics returned matched known pods" },
  { name: "ScaleUp", current: 3, expected: 5, requests: [1, 1, 1], levels: both(300, 500, 700), target: 30, utilization: 50, raw: 2 * 500 },
  { name: "ScaleUpUnreadyLessScale", current: 3, expected: 4, readiness: [false, true, true], requests: [1, 1, 1], levels: both(300, 500, 700), target: 30, utilization: 60, raw: 2 * 600 },
  { name: "ScaleUpContainerHotCpuLessScale", current: 3, expected: 4, start: [HOT, COOL, COOL], requests: [1, 1, 1], levels: [[0, 300], [0, 500], [0, 700]], target: 30, utilization: 60, raw: 600, container: "container2" },
  { name: "ScaleUpHotCpuLessScale", current: 3, expected: 4, start: [HOT, COOL, COOL], requests: [1, 1, 1], levels: both(300, 500, 700), target: 30, utilization: 60, raw: 2 * 600 },
  { name: "ScaleUpUnreadyNoScale", current: 3, expected: 3, readiness: [true, false, false], requests: [1, 1, 1], levels: both(400, 500, 700), target: 30, utilization: 40, raw: 2 * 400 },
  { name: "ScaleHotCpuNoScale", current: 3, expected: 3, readiness: [true, false, false], start: [COOL, HOT, HOT], requests: [1, 1, 1], levels: both(400, 500, 700), target: 30, utilization: 40, raw: 2 * 400 },
  { name: "ScaleUpIgnoresFailedPods", current: 2, expected: 4, readiness: [true, true, false, false], phase: ["Running", "Running", "Failed", "Failed"], requests: [1, 1, 1, 1], levels: both(500, 700), target: 30, utilization: 60, raw: 2 * 600 },
  { name: "ScaleUpIgnoresDeletionPods", current: 2, expected: 4, readiness: [true, true, false, false], phase: ["Running", "Running", "Running", "Running"], deleting: [false, false, true, true], requests: [1, 1, 1, 1], levels: both(500, 700), target: 30, utilization: 60, raw: 2 * 600 },
  { name: "ScaleDown", current: 5, expected: 3, requests: [1, 1, 1, 1, 1], levels: both(100, 300, 500, 250, 250), target: 50, utilization: 28, raw: 2 * 280 },
  { name: "ScaleDownIncludeUnreadyPods", current: 5, expected: 2, readiness: [true, true, true, false, false], requests: [1, 1, 1, 1, 1], levels: both(100, 300, 500, 250, 250), target: 50, utilization: 30, raw: 2 * 300 },
  { name: "ScaleDownExcludeUnscheduledPods", current: 5, expected: 1, readiness: [true, false, false, false, false], phase: ["Running", "Pending", "Pending", "Pending", "Pending"], requests: [1, 1, 1, 1, 1], levels: both(100), target: 50, utilization: 10, raw: 2 * 100 },
  { name: "ScaleDownIgnoreHotCpuPods", current: 5, expected: 2, start: [COOL, COOL, COOL, HOT, HOT], requests: [1, 1, 1, 1, 1], levels: both(100, 300, 500, 250, 250), target: 50, utilization: 30, raw: 2 * 300 },
  { name: "ScaleDownContainerIgnoreHotCpuPods", current: 5, expected: 2, start: [COOL, COOL, COOL, HOT, HOT], requests: [1, 1, 1, 1, 1], levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 1000], [1000, 1000]], target: 50, utilization: 30, raw: 300, container: "container2" },
  { name: "ScaleDownIgnoresFailedPods", current: 5, expected: 3, readiness: [true, true, true, true, true, false, false], phase: ["Running", "Running", "Running", "Running", "Running", "Failed", "Failed"], requests: [1, 1, 1, 1, 1, 1, 1], levels: both(100, 300, 500, 250, 250), target: 50, utilization: 28, raw: 2 * 280 },
  { name: "ScaleDownIgnoresDeletionPods_StillRunning", current: 5, expected: 3, readiness: [true, true, true, true, true, false, false], phase: Array(7).fill("Running"), deleting: [false, false, false, false, false, true, true], requests: [1, 1, 1, 1, 1, 1, 1], levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]], target: 50, utilization: 28, raw: 280, container: "container2" },
  { name: "Tolerance", current: 3, expected: 3, requests: [0.9, 1.0, 1.1], levels: both(1010, 1030, 1020), target: 100, utilization: 102, raw: 2 * 1020 },
  { name: "SuperfluousMetrics", current: 4, expected: 24, requests: [1, 1, 1, 1], levels: both(4000, 9500, 3000, 7000, 3200, 2000), target: 100, utilization: 587, raw: 2 * 5875 },
  { name: "MissingMetrics", current: 4, expected: 3, requests: [1, 1, 1, 1], levels: both(400, 95), target: 100, utilization: 24, raw: 495 },
  { name: "EmptyCPURequest", current: 1, requests: [], levels: both(200), target: 100, error: "missing request for" },
  { name: "MissingMetricsNoChangeEq", current: 2, expected: 2, requests: [1, 1], levels: both(1000), target: 100, utilization: 100, raw: 2 * 1000 },
  { name: "MissingMetricsNoChangeGt", current: 2, expected: 2, requests: [1, 1], levels: both(1900), target: 100, utilization: 190, raw: 2 * 1900 },
  { name: "MissingMetricsNoChangeLt", current: 2, expected: 2, requests: [1, 1], levels: both(600), target: 100, utilization: 60, raw: 2 * 600 },
  { name: "MissingMetricsUnreadyChange", current: 3, expected: 3, readiness: [false, true, true], requests: [1, 1, 1], levels: both(100, 450), target: 50, utilization: 45, raw: 2 * 450 },
  { name: "MissingMetricsHotCpuNoChange", current: 3, expected: 3, start: [HOT, COOL, COOL], requests: [1, 1, 1], levels: both(100, 450), target: 50, utilization: 45, raw: 2 * 450 },
  { name: "MissingMetricsUnreadyScaleUp", current: 3, expected: 4, readiness: [false, true, true], requests: [1, 1, 1], levels: both(100, 2000), target: 50, utilization: 200, raw: 2 * 2000 },
  { name: "MissingMetricsHotCpuScaleUp", current: 3, expected: 4, readiness: [false, true, true], start: [HOT, COOL, COOL], requests: [1, 1, 1], levels: both(100, 2000), target: 50, utilization: 200, raw: 2 * 2000 },
  { name: "MissingMetricsUnreadyScaleDown", current: 4, expected: 3, readiness: [false, true, true, true], requests: [1, 1, 1, 1], levels: both(100, 100, 100), target: 50, utilization: 10, raw: 2 * 100 },
  { name: "MissingMetricsScaleDownTargetOver100", current: 4, expected: 2, readiness: [false, true, true, true], requests: [1, 1, 2, 2], levels: both(200, 100, 100), target: 300, utilization: 6, raw: 2 * 100 },
  { name: "DuringRollingUpdateWithMaxSurge", current: 2, expected: 2, phase: ["Running", "Running", "Running"], requests: [1, 1, 1], levels: both(100, 100), target: 50, utilization: 10, raw: 2 * 100 },
];

describe("GetResourceReplicas (Kubernetes' replica_calculator_test.go cases)", () => {
  for (const c of CASES) {
    it(`TestReplicaCalc${c.name}`, () => {
      const r = resourceReplicas(c.current, c.target, "cpu", c.container ?? "", views(c), metrics(c), NOW, TESTING);
      if (c.error !== undefined) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toContain(c.error);
        return;
      }
      expect(r).toEqual({ ok: true, replicas: c.expected, usage: c.utilization, raw: c.raw });
    });
  }
});

describe("calcPlainMetricReplicas (AverageValue targets; Kubernetes' TestReplicaCalc*CM pod-metric cases)", () => {
  // Pod metrics are the plain per-pod values; the harness lists currentReplicas Ready, cool pods.
  const plain = (current: number, levels: number[], target: number, readiness?: boolean[], start?: number[], phase?: PodView["phase"][]) => {
    const c: Case = { name: "", current, requests: Array(current).fill(1), levels: [], target, ...(readiness ? { readiness } : {}), ...(start ? { start } : {}), ...(phase ? { phase } : {}) };
    const m = new Map<string, PodMetric>(levels.map((v, i) => [`test-pod-${i}`, { value: v, timestampMs: ZERO, windowMs: 60_000 }]));
    return rawResourceReplicas(current, target, "qps", views(c), m, NOW, TESTING);
  };
  it("TestReplicaCalcScaleUpCM: 3 → 4 at 20000 over 15000", () => expect(plain(3, [20000, 10000, 30000], 15000)).toEqual({ ok: true, replicas: 4, usage: 20000, raw: 20000 }));
  it("TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale: 3 → 6 (not CPU: readiness does not matter)", () => expect(plain(3, [50000, 10000, 30000], 15000, [true, true, false], [COOL, COOL, HOT])).toMatchObject({ ok: true, replicas: 6, usage: 30000 }));
  it("TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown: 3 → 7", () => expect(plain(3, [50000, 15000, 30000], 15000, [false, true, false], [HOT, COOL, HOT])).toMatchObject({ ok: true, replicas: 7, usage: 31666 }));
  it("TestReplicaCalcScaleDownCM: 5 → 3", () => expect(plain(5, [12000, 12000, 12000, 12000, 12000], 20000)).toMatchObject({ ok: true, replicas: 3, usage: 12000 }));
  it("TestReplicaCalcToleranceCM: within 10 % nothing moves", () => expect(plain(3, [20000, 21000, 21000], 20000)).toMatchObject({ ok: true, replicas: 3, usage: 20666 }));
  it("TestPlainMetricReplicaCalcMissingMetricsNoChangeEq: missing pods count as the target on the way down", () => expect(plain(5, [20000, 19000, 21000], 20000)).toMatchObject({ ok: true, replicas: 5, usage: 20000 }));
  it("TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM: a surge pod without metrics does not scale", () => expect(plain(2, [10000, 10000], 17000, undefined, undefined, ["Running", "Running", "Running"])).toMatchObject({ ok: true, replicas: 2, usage: 10000 }));
});

describe("calculatePodRequests", () => {
  const pod = (requests: (number | undefined)[]): PodView => ({
    name: "checkout-0", phase: "Running", deleting: false, ready: true, readyTransitionMs: 0, startMs: 0,
    containers: requests.map((r, i) => ({ name: i === requests.length - 1 ? "istio-proxy" : `app-${i}`, requestMilli: r })),
  });
  it("sums every container's request, the sidecar's included", () => {
    expect(calculatePodRequests([pod([200, 100])], "", "cpu")).toEqual(new Map([["checkout-0", 300]]));
  });
  it("with a container named, takes only its request", () => {
    expect(calculatePodRequests([pod([200, 100])], "app-0", "cpu")).toEqual(new Map([["checkout-0", 200]]));
  });
  it("fails as Kubernetes does when a container has no request (istio/istio#35905)", () => {
    expect(calculatePodRequests([pod([200, undefined])], "", "cpu")).toBe("missing request for cpu in container istio-proxy of Pod checkout-0");
    // ContainerResource on the app is unaffected by the sidecar's missing request.
    expect(calculatePodRequests([pod([200, undefined])], "app-0", "cpu")).toEqual(new Map([["checkout-0", 200]]));
  });
});

// Checked against the current source (docs/autoscaling.md "Checked against the source").
describe("replica_calculator.go as of 1.35", () => {
  const one = (usageMilli: number, target: number, o: CalcOptions = DEFAULT_CALC, current = 1) => {
    const c: Case = { name: "", current, requests: Array(current).fill(1), levels: [], target };
    const m = new Map<string, PodMetric>(Array.from({ length: current }, (_, i) => [`test-pod-${i}`, { value: usageMilli, timestampMs: ZERO, windowMs: 15_000 }]));
    return resourceReplicas(current, target, "cpu", "", views(c).map((p) => ({ ...p, containers: [p.containers[0]!] })), m, NOW, o);
  };
  it("Tolerances.isWithin: a ratio of exactly 1.1 (66 % of a 60 % target) is within the tolerance", () => {
    // |1 − 66/60| = 0.10000000000000009 > 0.1 (1.27's test) would scale 10 → 11.
    expect(one(660, 60, DEFAULT_CALC, 10)).toEqual({ ok: true, replicas: 10, usage: 66, raw: 660 });
    // Just past it, it scales.
    expect(one(670, 60, DEFAULT_CALC, 10)).toMatchObject({ ok: true, replicas: 12, usage: 67 });
    // The lower end is included too: 54 / 60 = 0.9.
    expect(one(540, 60, DEFAULT_CALC, 10)).toMatchObject({ ok: true, replicas: 10, usage: 54 });
  });
  it("Tolerances per direction (behavior.scaleUp/scaleDown.tolerance): each end of the band moves on its own", () => {
    const o: CalcOptions = { ...DEFAULT_CALC, tolerances: { scaleDown: 0.2, scaleUp: 0 } };
    // 61 % of 60 %: outside a 0 scale-up tolerance; 10 × 61/60 → 11.
    expect(one(610, 60, o, 10)).toMatchObject({ ok: true, replicas: 11 });
    // 50 % of 60 % (0.833): inside a 0.2 scale-down tolerance, where 0.1 would scale 10 → 9.
    expect(one(500, 60, o, 10)).toMatchObject({ ok: true, replicas: 10 });
    expect(one(500, 60, DEFAULT_CALC, 10)).toMatchObject({ ok: true, replicas: 9 });
  });
  it("no counted metric is reported before a missing request, with the current message", () => {
    const c: Case = { name: "", current: 1, readiness: [false], start: [HOT], requests: [], levels: both(100), target: 50 };
    const r = resourceReplicas(1, 50, "cpu", "", views(c), metrics(c), NOW, TESTING);
    expect(r).toEqual({ ok: false, error: NO_METRICS });
    expect(NO_METRICS).toBe("did not receive metrics for targeted pods (pods might be unready)");
  });
  it("calculatePodRequestsFromContainers: a named container the pod lacks is an error", () => {
    const pod: PodView = { name: "checkout-0", phase: "Running", deleting: false, ready: true, readyTransitionMs: 0, startMs: 0, containers: [{ name: "app", requestMilli: 100 }] };
    expect(calculatePodRequests([pod], "server", "cpu")).toBe("container server not found in Pod checkout-0");
  });
});
