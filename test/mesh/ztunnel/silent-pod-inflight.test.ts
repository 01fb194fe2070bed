// Requests inside a pod when its node vanishes, in ambient mode: nothing answers, but the HBONE
// tunnel's keepalive does notice — a PING every 10 s from the tunnel's start, dropped after 20 s
// without its PONG (https://github.com/istio/ztunnel/blob/62d82653/src/proxy/h2.rs#L31-L75) — and
// ztunnel then resets the connections it carried. A closed-loop client (fortio with -timeout 60s)
// therefore gets its connections back instead of stalling for ever.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/scenario/index.js";
import { runScenario } from "../../../src/runner/run-scenario.js";

const YAML = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: silent-pod-inflight}
spec:
  seed: 1
  duration: 60s
  mesh: {mode: ambient}
  timeline:
  - at: 10s
    kill: {deployment: echo, count: 1, network: blackhole}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  ports: [{name: http, port: 8080}]
  selector: {app: echo}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 1
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec: {containers: [{name: echo, image: fortio/fortio, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: fortio-deploy}
spec:
  selector: {matchLabels: {app: fortio}}
  template:
    metadata: {labels: {app: fortio}}
    spec: {containers: [{name: fortio, image: fortio/fortio}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: echo}
spec:
  selector: {app: echo}
  serviceTime: {dist: lognormal, median: 400ms, p99: 600ms}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: fortio}
spec:
  from: fortio-deploy
  target: http://echo:8080/
  connections: 3
  qps: 3
  timeout: 60s
`;

describe("requests inside a pod whose node vanished, behind ztunnel", () => {
  it("are reset when the tunnel's keepalive gives up (20-30 s later), not left unanswered", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-silent-"));
    try {
      const file = path.join(dir, "s.yaml");
      fs.writeFileSync(file, YAML);
      const users = runScenario(loadScenario(file)).summary.clients["fortio"]!;
      // Each of the three connections had a request inside the pod (a 400 ms service at 1 qps each).
      expect(users.codes["0"] ?? 0).toBeGreaterThanOrEqual(3);
      // The resets come 20-30 s after the blackhole at 10 s, within the keepalive's bound.
      expect(users.latencyMs.max).toBeGreaterThanOrEqual(20_000);
      expect(users.latencyMs.max).toBeLessThanOrEqual(30_000 + 1_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
