// The work a run will take, estimated from the scenario before anything is built: pods, report
// windows, simulated requests and events, memory. A run beyond its budget is refused as invalid
// input (exit 2) naming the field that drives the estimate and the flag that raises the budget,
// instead of exhausting memory or running for days (docs/limits-and-budgets.md).
import type { CallSpec, Deployment, LoadGenerator, Scenario, SourcePos, Step, Workload } from "../scenario/model.js";
import type { Diagnostic } from "../scenario/model.js";
import { ScenarioError } from "../scenario/diagnostic.js";
import { resourcePosition } from "../scenario/resource-position.js";
import { autoWindowMs } from "../report/report-window.js";
import { int } from "../report/number-text.js";

export interface Budget {
  /** Simulated events (the event loop's work; 0.04 to 1.8 million per wall second on the shipped scenarios). */
  events: number;
  /** Pods at any one time (each builds its proxy's config and state). */
  pods: number;
  /** Report windows per time series ((duration − warmup) / report.window). */
  windows: number;
  /** Estimated memory in bytes. */
  memoryBytes: number;
}

export const DEFAULT_BUDGET: Budget = {
  events: 200_000_000,
  pods: 20_000,
  windows: 20_000,
  memoryBytes: 2 * 1024 ** 3,
};

/** The command-line flag raising each budget. */
export const BUDGET_FLAGS: Record<keyof Budget, string> = {
  events: "--max-events", pods: "--max-pods", windows: "--max-windows", memoryBytes: "--max-memory",
};

export interface WorkEstimate {
  pods: number;
  windows: number;
  /** Time series kept per window (clients, edges, the mesh, stale proxies). */
  series: number;
  requests: number;
  events: number;
  memoryBytes: number;
  /** What drives each estimate, for the refusal message. */
  drivers: Record<keyof Budget, { pos: SourcePos; path: string; what: string }>;
}

// Calibrated on 13 shipped scenarios (estimated ÷ counted events with 16 per hop was 2.7 to 11,
// median 5): one request through a sidecar pair costs about 3 events; 6 keeps the estimate above
// the count on every one of them (docs/limits-and-budgets.md has the table).
const EVENTS_PER_HOP = 6;
// A closed loop with qps 0 sends as fast as answers come; 1 ms a round trip bounds it from above
// for meshes whose network latency is the default's order.
const FASTEST_ROUND_TRIP_MS = 1;
// Heap per pod with its sidecar's state (large-mesh, 2,000 pods, grows the heap by tens of MB; 64 KiB
// leaves room for bigger configs) and per window point of one series.
const BYTES_PER_POD = 64 * 1024;
const BYTES_PER_WINDOW_POINT = 64;
const BASE_BYTES = 64 * 1024 ** 2;
// A call chain deeper than this is counted as this deep (cycles between services).
const MAX_DEPTH = 16;

function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

function callsOf(steps: readonly Step[], out: CallSpec[]): CallSpec[] {
  for (const s of steps) {
    if (s.kind === "call") out.push(s.call);
    else if (s.kind === "parallel") callsOf(s.steps, out);
  }
  return out;
}

/** Requests one request to `service` causes, itself included (the call graph unrolled). */
class FanOut {
  private readonly memo = new Map<string, number>();
  private readonly active = new Set<string>();

  constructor(private readonly s: Scenario, private readonly deployments: readonly Deployment[], private readonly workloads: readonly Workload[]) {}

  private workloadsOf(name: string, namespace: string): Workload[] {
    const svc = this.s.services.find((x) => x.metadata.name === name && x.metadata.namespace === namespace);
    if (svc === undefined) return [];
    const deps = this.deployments.filter((d) => d.metadata.namespace === namespace && labelsMatch(svc.selector, d.podLabels));
    return this.workloads.filter((w) => w.metadata.namespace === namespace && deps.some((d) => labelsMatch(w.selector, d.podLabels)));
  }

  of(call: Pick<CallSpec, "to">, depth = 0): number {
    const r = call.to.resolved;
    if (r.kind !== "service") return 1;
    const key = `${r.namespace}/${r.name}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    if (this.active.has(key) || depth >= MAX_DEPTH) return 1;
    this.active.add(key);
    let most = 0;
    for (const w of this.workloadsOf(r.name, r.namespace)) {
      for (const script of [w.behaviour.script, ...Object.values(w.versions).map((v) => v.script ?? [])]) {
        let n = 0;
        for (const c of callsOf(script, [])) n += this.of(c, depth + 1);
        most = Math.max(most, n);
      }
    }
    this.active.delete(key);
    const total = 1 + most;
    this.memo.set(key, total);
    return total;
  }

  /** The most any service causes (for a load sent through a gateway, whose route is not resolved here). */
  worst(): number {
    let most = 1;
    for (const svc of this.s.services) {
      const to = { resolved: { kind: "service" as const, name: svc.metadata.name, namespace: svc.metadata.namespace, fqdn: "" } };
      most = Math.max(most, this.of({ to } as Pick<CallSpec, "to">));
    }
    return most;
  }
}

/** Requests a load generator sends over the run. */
function requestsOf(lg: LoadGenerator, durationMs: number): number {
  const activeMs = Math.max(0, Math.min(lg.stopMs ?? durationMs, durationMs) - lg.startMs);
  if (lg.open) {
    const peak = (lg.open.profile ?? []).reduce((m, p) => Math.max(m, p.rate), lg.open.rate);
    return (peak * activeMs) / 1000;
  }
  if (lg.closed) {
    const c = lg.closed;
    const perConn = c.qps > 0 ? (c.qps * activeMs) / 1000 : activeMs / FASTEST_ROUND_TRIP_MS;
    const sent = c.connections * perConn;
    return c.requests !== undefined ? Math.min(c.requests, sent) : sent;
  }
  return 0;
}

export function estimateWork(scenario: Scenario, opts: { durationMs?: number | undefined } = {}): WorkEstimate {
  const sim = scenario.simulation;
  const durationMs = opts.durationMs ?? sim.durationMs;
  const deployments = [...scenario.deployments];
  const workloads = [...scenario.workloads];
  const generators = [...scenario.loadGenerators];
  const destinationRules = [...scenario.destinationRules];
  // Pods: each deployment at the most replicas it ever has (its own, a timeline scale or apply).
  const replicas = new Map<string, { n: number; pos: SourcePos; path: string }>();
  const note = (ns: string, name: string, n: number, pos: SourcePos, path: string) => {
    const key = `${ns}/${name}`;
    const old = replicas.get(key);
    if (old === undefined || n > old.n) replicas.set(key, { n, pos, path });
  };
  for (const d of deployments) note(d.metadata.namespace, d.metadata.name, d.replicas, d.pos, "spec.replicas");
  for (const [i, ev] of sim.timeline.entries()) {
    const a = ev.action;
    if (a.kind === "scale") note(a.namespace, a.deployment, a.replicas, ev.pos, `spec.timeline[${i}].scale.replicas`);
    if (a.kind === "apply") {
      for (const r of a.resources) {
        if (r.kind === "Deployment") { deployments.push(r); note(r.metadata.namespace, r.metadata.name, r.replicas, r.pos, "spec.replicas"); }
        if (r.kind === "Workload") workloads.push(r);
        if (r.kind === "LoadGenerator") generators.push(r);
        if (r.kind === "DestinationRule") destinationRules.push(r);
      }
    }
  }
  let pods = 0;
  let biggest = { n: 0, pos: sim.pos, path: "spec" };
  for (const r of replicas.values()) {
    pods += r.n;
    if (r.n > biggest.n) biggest = r;
  }
  pods += scenario.gateways.length;

  const windowMs = sim.report.windowMs ?? autoWindowMs(durationMs - sim.warmupMs);
  const windows = Math.max(1, Math.ceil((durationMs - sim.warmupMs) / windowMs));
  const fan = new FanOut(scenario, deployments, workloads);
  let requests = 0;
  let hops = 0;
  let heaviest: { n: number; lg?: LoadGenerator } = { n: 0 };
  let edges = 0;
  for (const w of workloads) edges += callsOf(w.behaviour.script, []).length;
  for (const lg of generators) {
    const n = requestsOf(lg, durationMs);
    const perRequest = lg.from.kind === "gateway" && lg.target.resolved.kind !== "service" ? fan.worst() : fan.of({ to: lg.target });
    requests += n;
    hops += n * (perRequest + (lg.from.kind === "gateway" ? 1 : 0));
    if (n * perRequest > heaviest.n) heaviest = { n: n * perRequest, lg };
  }
  // Timers that tick whatever the load: outlier detection sweeps (one per proxy and cluster) and
  // certificate rotations (one per proxy, at half the TTL).
  const proxies = sim.mesh.mode === "sidecar" ? pods : scenario.gateways.length;
  let timers = 0;
  let timerDriver: { n: number; pos: SourcePos; path: string } = { n: 0, pos: sim.pos, path: "" };
  for (const dr of destinationRules) {
    const policies = [dr.spec.trafficPolicy, ...(dr.spec.subsets ?? []).map((s) => s.trafficPolicy)];
    for (const tp of policies) {
      if (tp?.outlierDetection === undefined) continue;
      // Envoy's default interval is 10 s (outlier_detection.proto).
      const ms = tp.outlierDetection.intervalMs ?? 10_000;
      const n = (proxies * durationMs) / Math.max(ms, 1e-9);
      timers += n;
      if (n > timerDriver.n) timerDriver = { n, pos: resourcePosition(dr) ?? sim.pos, path: "spec.trafficPolicy.outlierDetection.interval" };
    }
  }
  const ttl = sim.mesh.certificates.workloadTTLMs;
  const rotations = (proxies * durationMs) / Math.max(ttl / 2, 1e-9);
  timers += rotations;
  if (rotations > timerDriver.n) timerDriver = { n: rotations, pos: sim.pos, path: "spec.mesh.certificates.workloadTTL" };
  // Per-call compute steps and the app's own queue add a handful of events; they are in EVENTS_PER_HOP.
  const events = hops * EVENTS_PER_HOP + timers + pods * 50 + sim.timeline.length * 10;

  const series = 2 + generators.length + edges + scenario.services.length;
  const memoryBytes = BASE_BYTES + pods * BYTES_PER_POD + windows * series * BYTES_PER_WINDOW_POINT;

  const durationText = opts.durationMs !== undefined ? "--duration" : "spec.duration";
  const lgPos = heaviest.lg?.pos ?? sim.pos;
  const loadDriver = heaviest.lg === undefined
    ? { pos: sim.pos, path: "spec.duration", what: "the run's length" }
    : { pos: lgPos, path: heaviest.lg.open ? "spec.rate" : "spec.connections", what: `LoadGenerator ${heaviest.lg.metadata.name}'s load over ${durationText}` };
  const eventDriver = timerDriver.n > hops * EVENTS_PER_HOP
    ? { pos: timerDriver.pos, path: timerDriver.path, what: "timers every proxy runs over spec.duration" }
    : loadDriver;
  const windowDriver = sim.report.windowMs !== null
    ? { pos: sim.pos, path: "spec.report.window", what: `${durationText} ÷ report.window (${windowMs} ms)` }
    : { pos: sim.pos, path: opts.durationMs !== undefined ? "" : "spec.duration", what: `${durationText} ÷ report.window (${windowMs} ms)` };
  const podDriver = { pos: biggest.pos, path: biggest.path, what: "replicas of every Deployment at their most" };
  return {
    pods, windows, series, requests, events, memoryBytes,
    drivers: {
      events: eventDriver,
      pods: podDriver,
      windows: windowDriver,
      memoryBytes: pods * BYTES_PER_POD > windows * series * BYTES_PER_WINDOW_POINT ? podDriver : windowDriver,
    },
  };
}

function amount(key: keyof Budget, n: number): string {
  const v = key === "memoryBytes" ? n / 1024 ** 2 : n;
  const text = v < 1e12 ? int(Math.round(v)) : v.toExponential(2);
  return key === "memoryBytes" ? `${text} MiB` : text;
}

const NOUN: Record<keyof Budget, string> = { events: "events", pods: "pods", windows: "report windows", memoryBytes: "memory" };

/**
 * Throws a ScenarioError (exit 2) for every budget the estimate exceeds, e.g.
 * `sim.yaml:12:5: error: spec.rate: the run would take about 4.8e+12 events (LoadGenerator users's
 * load over spec.duration), over the budget of 1,000,000,000; raise it with --max-events`.
 */
export function checkBudget(estimate: WorkEstimate, budget: Budget): void {
  const out: Diagnostic[] = [];
  for (const key of Object.keys(budget) as (keyof Budget)[]) {
    const n = estimate[key];
    if (!(n > budget[key])) continue;
    const d = estimate.drivers[key];
    out.push({
      severity: "error", pos: d.pos, path: d.path,
      message: `the run would take about ${amount(key, n)} ${NOUN[key]} (${d.what}), over the budget of ${amount(key, budget[key])}; ` +
        `raise it with ${BUDGET_FLAGS[key]}, or shorten the run`,
    });
  }
  if (out.length > 0) throw new ScenarioError(out);
}
