// One simulation run, from a loaded scenario to its summary: builds the recorder and the world,
// runs the event loop, and assembles summary.json's content. Used by the CLI, the tests and the bench.
import type { LoadGenerator, Scenario } from "../scenario/model.js";
import { INGRESS_GATEWAY_WORKLOAD } from "../scenario/expectation.js";
import { autoWindowMs } from "../report/report-window.js";
import { World } from "../mesh/world.js";
import { Recorder } from "../telemetry/recorder.js";
import { buildSummary, expectationEntries } from "../report/summary.js";
import { evaluateExpectations } from "../report/expectations.js";
import type { Summary } from "../report/summary-types.js";
import { WorldTelemetryAdapter } from "./world-telemetry.js";
import { ControlPlane } from "../xds/control-plane.js";
import { compileDistribution } from "../engine/distributions/compile.js";
import type { Pod } from "../mesh/kube/pod.js";
import type { LineSink } from "../telemetry/line-sink.js";
import { RequestLog } from "../telemetry/request-log.js";
import { AccessLog } from "../telemetry/access-log.js";
import { TraceRecorder } from "../telemetry/trace-recorder.js";
import { IdSource } from "../telemetry/request-ids.js";
import { RandomStreams } from "../engine/rng.js";
import { Translator } from "../xds/translation/translator.js";
import { addResources } from "./resources-summary.js";
import { addLocality } from "./locality-summary.js";
import { addAutoscalers } from "./autoscaler-summary.js";
import { readNetworkTopology } from "../scenario/network-topology.js";
import { wallNowMs } from "./wall-clock.js";

export interface RunOptions {
  seed?: number;
  durationMs?: number;
  /** Hears the share of simulated time done and the events so far (for a progress bar). */
  progress?: (done: number, events: number) => void;
  /** Streamed per-request records, each on when its sink is given: access.log and traces.json. */
  records?: { accessLog?: LineSink | undefined; traces?: LineSink | undefined };
}

/**
 * The access log and tracer of a run, or null when neither is asked for. Their streams
 * ("telemetry:...") are their own: turning them on shifts no other draw.
 */
function requestLogOf(scenario: Scenario, rng: RandomStreams, records: RunOptions["records"]): RequestLog | null {
  if (records === undefined || (records.accessLog === undefined && records.traces === undefined)) return null;
  const sim = scenario.simulation;
  const access = records.accessLog !== undefined ? new AccessLog(records.accessLog, sim.warmupMs) : null;
  const traces = records.traces !== undefined
    ? new TraceRecorder(records.traces, sim.report.traces.sample, rng.stream("telemetry:trace-sampling"), new IdSource(rng.stream("telemetry:span-ids")), sim.warmupMs)
    : null;
  return new RequestLog(access, traces, new IdSource(rng.stream("telemetry:x-request-id")));
}

export interface RunOutcome {
  summary: Summary;
  /** Wall-clock facts (never in summary.json). */
  run: { wallMs: number; events: number; eventsPerSecond: number; requestsPerSecond: number; unfinished: number };
  recorder: Recorder;
}

/** The world of a scenario with its recorder and control plane, ready to run. */
export function createWorld(scenario: Scenario, opts: RunOptions = {}): { world: World; recorder: Recorder; telemetry: WorldTelemetryAdapter; log: RequestLog | null } {
  const sim = scenario.simulation;
  const seed = opts.seed ?? sim.seed;
  const durationMs = opts.durationMs ?? sim.durationMs;
  const windowMs = sim.report.windowMs ?? autoWindowMs(durationMs - sim.warmupMs);
  const recorder = new Recorder({ warmupMs: sim.warmupMs, windowMs, endMs: durationMs });
  const telemetry = new WorldTelemetryAdapter(recorder, sim.mesh.proxy.cpuPerRequestMs);
  const cp = sim.mesh.controlPlane;
  // The world's own streams are built from the same seed; the log's live in a separate RandomStreams.
  const log = requestLogOf(scenario, new RandomStreams(seed), opts.records);
  const rejections = new Set<string>();
  const world = new World(scenario, telemetry, {
    seed, durationMs, log,
    translation: (w) => new Translator(w.registry, sim.mesh.outboundTrafficPolicy, (p, c) => w.scopeOf(p, c), sim.mesh.defaultTrafficPolicy, sim.mesh.h2UpgradePolicy),
  }, (simulator, rng, initial, initialEds, w) => {
    const pushTime = compileDistribution(cp.pushTime, rng.stream("xds:push"));
    const settings = {
      debounceAfterMs: cp.debounceAfterMs, debounceMaxMs: cp.debounceMaxMs, pushThrottle: cp.pushThrottle, pushTime,
      requestsPerSecond: cp.maxRequestsPerSecond,
      pushTimePerResourceMs: cp.pushTimePerResourceMs,
      workloadTtlMs: sim.mesh.certificates.workloadTTLMs,
      certJitter: rng.stream("certs:rotation"),
    };
    return new ControlPlane(simulator, settings, initial, initialEds, w, {
      pushed: (_pod, type) => telemetry.xdsType(type, true),
      rejected: (pod, type, reason, now) => {
        telemetry.xdsType(type, false);
        // One event per distinct rejection (every proxy in scope NACKs the same config).
        if (!rejections.has(reason)) {
          rejections.add(reason);
          telemetry.event(now, "xds-rejected", { type, proxy: pod.id, reason });
        }
      },
      proxyPushed: () => telemetry.xdsPush(),
      pushStarted: (push) => telemetry.pushStarted(push),
      converged: (changedAt, now, _proxies, push) => telemetry.converged(now - changedAt, push),
      bootstrapped: (pod: Pod) => w.proxyOf(pod).configured(),
      stale: (n, now) => telemetry.staleProxies(n, now),
      certificateIssued: () => telemetry.certificateIssued(),
      certificateExpired: (pod, now) => telemetry.event(now, "certificate-expired", { pod: pod.id }),
    });
  });
  telemetry.setProxies([...world.pods.values()].filter((p) => p.hasSidecar).length);
  return { world, recorder, telemetry, log };
}

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunOutcome {
  const started = wallNowMs();
  const made = createWorld(scenario, opts);
  return finishRun(scenario, opts, made, made.world.run(opts.progress), started);
}

/**
 * The summary of a run whose event loop has stopped: at its end (and drained), or at an earlier
 * simulated time when it was interrupted (`interruptedAtMs`; summary.json then says so).
 */
export function finishRun(
  scenario: Scenario, opts: RunOptions, made: { world: World; recorder: Recorder; log: RequestLog | null },
  stats: { events: number; unfinished: number }, started: number, interruptedAtMs?: number,
): RunOutcome {
  const sim = scenario.simulation;
  const seed = opts.seed ?? sim.seed;
  const durationMs = interruptedAtMs ?? opts.durationMs ?? sim.durationMs;
  const { world, recorder, log } = made;
  log?.close(world.sim.now);
  if (interruptedAtMs !== undefined) recorder.endAt(interruptedAtMs);
  recorder.finish();
  const wallMs = wallNowMs() - started;
  const clientSources = Object.fromEntries(scenario.loadGenerators.map((lg) => [lg.metadata.name, sourceWorkloadOf(lg)]));
  const routes = world.config.routeStatus.map((r) => ({ kind: r.kind, name: r.name, namespace: r.namespace, parents: r.parents.map((p) => ({ parentRef: p.parentRef, conditions: p.conditions.map((c) => ({ ...c })) })) }));
  const conditions = (cs: readonly { type: string; status: "True" | "False"; reason: string; message: string }[]) => cs.map((c) => ({ ...c }));
  const gateways = world.config.gatewayStatus.map((g) => ({
    name: g.name, namespace: g.namespace, conditions: conditions(g.conditions),
    listeners: g.listeners.map((l) => ({ name: l.name, attachedRoutes: l.attachedRoutes, supportedKinds: l.supportedKinds.map((k) => ({ ...k })), conditions: conditions(l.conditions) })),
  }));
  const built = buildSummary(recorder, { name: sim.metadata.name, seed, simulatedSeconds: durationMs / 1000, expectations: [], clientSources, routes, gateways });
  addLocality(built, world, sim.topology ?? readNetworkTopology(undefined, sim.network.latency));
  addResources(built, world, sim, sim.warmupMs, durationMs);
  addAutoscalers(built, world);
  // Expectations read the summary they then join (its key stays where buildSummary put it).
  built.expectations = expectationEntries(evaluateExpectations(sim.expect, built, recorder));
  const summary: Summary = interruptedAtMs === undefined ? built : { ...built, interrupted: { atSimulatedSeconds: interruptedAtMs / 1000 } };
  let requests = 0;
  for (const c of Object.values(summary.clients)) requests += c.requests;
  return {
    summary,
    recorder,
    run: {
      wallMs,
      events: stats.events,
      eventsPerSecond: stats.events / (wallMs / 1000),
      requestsPerSecond: requests / (wallMs / 1000),
      unfinished: stats.unfinished,
    },
  };
}

/** Istio's source_workload of a load generator's requests (as the world labels them, mesh/world.ts). */
function sourceWorkloadOf(lg: LoadGenerator): string {
  switch (lg.from.kind) {
    case "deployment": return lg.from.name;
    case "gateway": return INGRESS_GATEWAY_WORKLOAD;
    case "outside": return lg.metadata.name;
  }
}
