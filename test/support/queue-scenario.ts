// Queueing-theory scenarios written inline: a chain of services with no mesh and no network cost,
// fed by an open-loop or a closed-loop generator, run as independent replications (one seed each)
// so that a figure's standard error comes from the spread between replications — honest even when
// successive response times are correlated, as they are in a queue.
import { runScenario } from "../../src/runner/run-scenario.js";
import type { Summary } from "../../src/report/summary-types.js";
import { scenarioFrom } from "./scenario-text.js";

export interface Station {
  name: string;
  /** Pods of the Deployment (default 1). */
  replicas?: number;
  concurrency?: number;
  queueLimit?: number;
  threading?: "blocking" | "async";
  /** YAML of the script's steps, e.g. `[{compute: 5ms}, {call: {to: "b:8080/", timeout: 1h}}]`. */
  script: string;
}

export type Load =
  | { rate: number; arrival?: "poisson" | "constant"; profile?: string }
  | { connections: number; qps: number; requests?: number };

export interface QueueScenario {
  stations: Station[];
  load: Load;
  durationS: number;
  warmupS: number;
}

export function queueYaml(q: QueueScenario, seed: number): string {
  const docs = [`
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: queue-test}
spec:
  seed: ${seed}
  duration: ${q.durationS}s
  warmup: ${q.warmupS}s
  mesh: {mode: none}
  network: {latency: 0ms}`];
  for (const s of q.stations) {
    const spec = [`selector: {app: ${s.name}}`, `script: ${s.script}`];
    if (s.concurrency !== undefined) spec.push(`concurrency: ${s.concurrency}`);
    if (s.queueLimit !== undefined) spec.push(`queueLimit: ${s.queueLimit}`);
    if (s.threading !== undefined) spec.push(`threading: ${s.threading}`);
    docs.push(`
apiVersion: v1
kind: Service
metadata: {name: ${s.name}}
spec: {selector: {app: ${s.name}}, ports: [{port: 8080}]}`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${s.name}}
spec:
  replicas: ${s.replicas ?? 1}
  selector: {matchLabels: {app: ${s.name}}}
  template:
    metadata: {labels: {app: ${s.name}}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}`, `
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: ${s.name}}
spec:
${spec.map((l) => `  ${l}`).join("\n")}`);
  }
  const l = q.load;
  const load = "rate" in l
    ? `rate: ${l.rate}, arrival: ${l.arrival ?? "poisson"}${l.profile !== undefined ? `, profile: ${l.profile}` : ""}`
    : `connections: ${l.connections}, qps: ${l.qps}${l.requests !== undefined ? `, requests: ${l.requests}` : ""}`;
  docs.push(`
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: outside, target: "http://${q.stations[0]!.name}:8080/", ${load}}`);
  return docs.join("\n---");
}

export function runQueue(q: QueueScenario, seed: number): Summary {
  return runScenario(scenarioFrom(queueYaml(q, seed))).summary;
}

export interface Estimate {
  mean: number;
  /** Standard error of `mean`, from the spread of the replications. */
  se: number;
  values: number[];
}

/** `reps` independent runs (seeds 1..reps) and a figure read from each. */
export function replicate(q: QueueScenario, reps: number, figure: (s: Summary) => number): Estimate {
  const values: number[] = [];
  for (let seed = 1; seed <= reps; seed++) values.push(figure(runQueue(q, seed)));
  return estimate(values);
}

export function estimate(values: number[]): Estimate {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(v / n), values };
}

/**
 * |measured − theory| in standard errors (the test's tolerance is a multiple of it). summary.json
 * rounds figures to `resolution` (3 decimals): its uniform rounding error is added in quadrature, so
 * a figure that barely varies between replications is not held to a precision it is not given in.
 */
export function zScore(e: Estimate, theory: number, resolution = 0.001): number {
  return Math.abs(e.mean - theory) / Math.sqrt(e.se ** 2 + resolution ** 2 / 12);
}
