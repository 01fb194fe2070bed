// The HorizontalPodAutoscaler end to end: the shipped labs through the command line, determinism,
// the memory metric, Pending pods on full nodes, and bad input.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { meshsim, tmpDir } from "../support/cli.js";
import { scenarioFrom, writeScenario } from "../support/scenario-text.js";

const DIR = path.resolve(import.meta.dirname, "../../scenarios/autoscaling");

const app = (extra: { memory?: string; nodes?: string; replicas?: number } = {}) => `
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${extra.replicas ?? 2}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: x, resources: {requests: {cpu: 500m, memory: 128Mi}, limits: {cpu: "1"}}}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: web}
spec:
  selector: {app: web}
  concurrency: 32
  serviceTime: {dist: exponential, mean: 4ms}
  startupTime: 5s
${extra.memory ?? ""}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: outside, target: "http://web:8080/", rate: 400}
`;

describe("HorizontalPodAutoscaler end to end", () => {
  it("the spike lab: exit 0, rescales at the documented syncs, the report and metrics.prom carry the HPA", () => {
    const out = tmpDir();
    const r = meshsim("run", path.join(DIR, "spike.yaml"), "--quiet", "--out", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    const a = s.autoscalers.checkout;
    expect(a.decisions.map((d: { t: number; from: number; to: number }) => [d.t, d.from, d.to])).toEqual([[135, 6, 12], [150, 12, 24], [165, 24, 37]]);
    // Syncs every 15 s from 15 s; before the spike the pods sit at the 60 % target.
    expect(a.replicas[0]).toMatchObject({ t: 15, current: 6, ready: 6 });
    expect(a.replicas.every((p: { t: number }, i: number) => p.t === 15 * (i + 1))).toBe(true);
    expect(Math.abs(a.replicas[5].metrics[0] - 60)).toBeLessThanOrEqual(6);
    const prom = fs.readFileSync(path.join(out, "metrics.prom"), "utf8");
    expect(prom).toContain('kube_horizontalpodautoscaler_status_current_replicas{namespace="default",horizontalpodautoscaler="checkout"} 37');
    expect(prom).toContain('kube_horizontalpodautoscaler_status_desired_replicas{namespace="default",horizontalpodautoscaler="checkout"} 37');
    const md = fs.readFileSync(path.join(out, "report.md"), "utf8");
    expect(md).toContain("| 135 | 6 | 12 | cpu resource utilization (percentage of request) above target |");
    // status.lastScaleTime: the last rescale (165 s); no behavior: the legacy rules.
    expect(a.lastScaleTime).toBe(165);
    expect(md).toContain("behavior unset (the controller's legacy rules)");
    expect(md).toContain("last scaled at 165 s.");
    const html = fs.readFileSync(path.join(out, "report.html"), "utf8");
    expect(html).toContain('id="autoscaler-charts"');
    expect(html).toContain("M.drawAutoscalers");
  });

  it("is deterministic: the same seed gives a byte-identical summary.json", () => {
    const a = tmpDir();
    const b = tmpDir();
    expect(meshsim("run", path.join(DIR, "scale-down.yaml"), "--quiet", "--out", a, "--format", "json").code).toBe(0);
    expect(meshsim("run", path.join(DIR, "scale-down.yaml"), "--quiet", "--out", b, "--format", "json").code).toBe(0);
    expect(fs.readFileSync(path.join(a, "summary.json"), "utf8")).toBe(fs.readFileSync(path.join(b, "summary.json"), "utf8"));
  });

  it("a sidecar without a CPU request: ScalingActive False, FailedGetResourceMetric, and no scaling (istio/istio#35905)", () => {
    const out = tmpDir();
    const r = meshsim("run", path.join(DIR, "no-cpu-request.yaml"), "--quiet", "--out", out, "--format", "json");
    expect(r.code).toBe(0);
    const a = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")).autoscalers.checkout;
    expect(a.conditions.find((c: { type: string }) => c.type === "ScalingActive")).toMatchObject({
      status: "False", reason: "FailedGetResourceMetric",
      message: "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container istio-proxy of Pod checkout-0",
    });
    expect(a.decisions).toEqual([]);
    expect(a.replicas.every((p: { current: number }) => p.current === 6)).toBe(true);
  });

  it("analyze reports the HPA that can never compute its CPU utilisation (MSH0140)", () => {
    const r = meshsim("analyze", path.join(DIR, "no-cpu-request.yaml"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Warning [MSH0140] (HorizontalPodAutoscaler checkout.default) spec.metrics[0]: ScalingActive False FailedGetResourceMetric: missing request for cpu in container istio-proxy of Pod checkout-0; the HPA never scales");
    expect(meshsim("analyze", path.join(DIR, "spike.yaml")).stdout).not.toContain("MSH014");
  });

  it("scales on memory (AverageValue) from the Workload's working set and the sidecar's", () => {
    const s = scenarioFrom(`
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: hpa-memory}
spec: {seed: 1, duration: 60s}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 150Mi}}
${app({ memory: "  memory: {workingSet: 200Mi, perRequest: 1Mi}" })}`);
    const a = runScenario(s).summary.autoscalers!["web"]!;
    // 200Mi + the sidecar's 60 MB ≈ 257 MiB per pod over 150Mi: ceil(2 × 257 / 150) = 4.
    expect(a.decisions[0]).toMatchObject({ t: 15, from: 2, to: 4, reason: "memory resource above target" });
    expect(a.metrics[0]).toMatchObject({ unit: "bytes", target: 150 * 2 ** 20 });
    expect(a.replicas[0]!.metrics[0]).toBeGreaterThan(250 * 2 ** 20);
  });

  it("new replicas that fit no node stay Pending (unready to the HPA) and never become Ready", () => {
    const s = scenarioFrom(`
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: hpa-pending}
spec:
  seed: 1
  duration: 90s
  nodes:
  - {region: r1, zone: a, count: 1, cpu: "1.3", memory: 16Gi}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 6
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
${app()}`);
    const { summary } = runScenario(s);
    const a = summary.autoscalers!["web"]!;
    expect(a.decisions[0]).toMatchObject({ t: 15, from: 2 });
    expect(a.decisions[0]!.to).toBeGreaterThan(2);
    // Two pods requesting 500m each leave 300m of the 1.3-core node: the new ones stay Pending.
    expect(summary.events.some((e) => e.kind === "pending")).toBe(true);
    expect(a.replicas[a.replicas.length - 1]!.ready).toBe(2);
  });

  it("bad input exits 2 with file:line:column and the field's path", () => {
    const file = writeScenario({ "simulation.yaml": `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: bad}
spec: {duration: 10s}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 2
${app()}` });
    const r = meshsim("run", file, "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/simulation\.yaml:13:16: error: spec\.maxReplicas: must be greater than or equal to `minReplicas` \(3\)/);
    expect(r.stderr).not.toMatch(/at .*\.js/);
  });
});
