// One simulation run, from a loaded scenario to its summary: builds the recorder and the world,
// runs the event loop, and assembles summary.json's content. Used by the CLI, the tests and the bench.
import type { Scenario } from "../scenario/model.js";
import { World } from "../mesh/world.js";
import { Recorder } from "../telemetry/recorder.js";
import { buildSummary } from "../report/summary.js";
import { evaluateExpectations } from "../report/expectations.js";
import type { Summary } from "../report/summary-types.js";
import { WorldTelemetryAdapter } from "./world-telemetry.js";
import { ControlPlane } from "../xds/control-plane.js";
import { compileDistribution } from "../engine/distributions/compile.js";
import type { Pod } from "../mesh/pod.js";

export interface RunOptions {
  seed?: number;
  durationMs?: number;
  /** Hears the share of simulated time done and the events so far (for a progress bar). */
  progress?: (done: number, events: number) => void;
}

export interface RunOutcome {
  summary: Summary;
  /** Wall-clock facts (never in summary.json). */
  run: { wallMs: number; events: number; eventsPerSecond: number; requestsPerSecond: number; unfinished: number };
  recorder: Recorder;
}

/** The world of a scenario with its recorder and control plane, ready to run. */
export function createWorld(scenario: Scenario, opts: RunOptions = {}): { world: World; recorder: Recorder; telemetry: WorldTelemetryAdapter } {
  const sim = scenario.simulation;
  const seed = opts.seed ?? sim.seed;
  const durationMs = opts.durationMs ?? sim.durationMs;
  const recorder = new Recorder({ warmupMs: sim.warmupMs, windowMs: sim.report.windowMs, endMs: durationMs });
  const telemetry = new WorldTelemetryAdapter(recorder, sim.mesh.proxy.cpuPerRequestMs);
  const cp = sim.mesh.controlPlane;
  const rejections = new Set<string>();
  const world = new World(scenario, telemetry, { seed, durationMs }, (simulator, rng, initial, initialEds, w) => {
    const pushTime = compileDistribution(cp.pushTime, rng.stream("xds:push"));
    const settings = {
      debounceAfterMs: cp.debounceAfterMs, debounceMaxMs: cp.debounceMaxMs, pushThrottle: cp.pushThrottle, pushTime,
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
      converged: (changedAt, now) => telemetry.converged(now - changedAt),
      bootstrapped: (pod: Pod) => w.proxyBootstrapped(pod),
      stale: (n, now) => telemetry.staleProxies(n, now),
      certificateIssued: () => telemetry.certificateIssued(),
      certificateExpired: (pod, now) => telemetry.event(now, "certificate-expired", { pod: pod.id }),
    });
  });
  telemetry.setProxies([...world.pods.values()].filter((p) => p.hasSidecar).length);
  return { world, recorder, telemetry };
}

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunOutcome {
  const sim = scenario.simulation;
  const seed = opts.seed ?? sim.seed;
  const durationMs = opts.durationMs ?? sim.durationMs;
  const started = performance.now();
  const { world, recorder } = createWorld(scenario, opts);
  const stats = world.run(opts.progress);
  recorder.finish();
  const wallMs = performance.now() - started;
  const base = buildSummary(recorder, {
    name: sim.metadata.name,
    seed,
    simulatedSeconds: durationMs / 1000,
    expectations: [],
  });
  const expectations = evaluateExpectations(sim.expect, base, recorder);
  const summary = buildSummary(recorder, { name: sim.metadata.name, seed, simulatedSeconds: durationMs / 1000, expectations });
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
