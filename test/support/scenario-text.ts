// Scenarios written inline by tests: saved to a temporary folder and loaded like a user's file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadScenario } from "../../src/scenario/index.js";
import type { Scenario } from "../../src/scenario/model.js";

export function writeScenario(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-test-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return path.join(dir, Object.keys(files)[0]!);
}

export function scenarioFrom(yaml: string): Scenario {
  return loadScenario(writeScenario({ "simulation.yaml": yaml }));
}

/** An M/M/c scenario: one server with `c` slots, Poisson arrivals, exponential service, no mesh. */
export function mmcYaml(o: { c: number; rate: number; meanServiceMs: number; durationS: number; warmupS: number; seed?: number }): string {
  return `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: mmc-test}
spec:
  seed: ${o.seed ?? 1}
  duration: ${o.durationS}s
  warmup: ${o.warmupS}s
  mesh: {mode: none}
  network: {latency: 0ms}
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec: {selector: {app: server}, ports: [{port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: server}
spec:
  selector: {app: server}
  concurrency: ${o.c}
  serviceTime: {dist: exponential, mean: ${o.meanServiceMs}ms}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: outside, target: "http://server:8080/", rate: ${o.rate}}
`;
}
