// The HPA controller against kubernetes' current source (pkg/controller/podautoscaler/horizontal.go,
// replica_calculator.go, as of 1.35): each case would be false under the controller as first
// modelled (release-1.27 texts, the |1 − ratio| tolerance, no per-HPA tolerance). The table in
// docs/autoscaling.md ("Checked against the source") lists them.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

const scenario = (hpaSpec: string, rate = 400, duration = "45s") => scenarioFrom(`
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: hpa-source}
spec: {seed: 1, duration: ${duration}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
${hpaSpec}
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
  replicas: 2
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
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: outside, target: "http://web:8080/", rate: ${rate}}
`);

describe("HPA controller: texts and tolerances of the current source", () => {
  it("computeReplicasForMetric / computeStatusForResourceMetricGeneric: an AverageValue failure says 'usage', a ContainerResource one names the container, and FailedComputeMetricsReplicas carries the error alone", () => {
    const a = runScenario(scenario(`  maxReplicas: 5
  metrics:
  - type: ContainerResource
    containerResource: {name: cpu, container: nope, target: {type: AverageValue, averageValue: 100m}}
`)).summary.autoscalers!["web"]!;
    const inner = "failed to get cpu usage: unable to get metrics for resource cpu: failed to get container metrics: container nope not present in metrics for pod default/web-0";
    expect(a.events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ["Warning", "FailedGetContainerResourceMetric", inner],
      ["Warning", "FailedComputeMetricsReplicas", `invalid metrics (1 invalid out of 1), first error is: failed to get nope container metric value: ${inner}`],
    ]);
    expect(a.conditions.find((c) => c.type === "ScalingActive")).toMatchObject({ status: "False", reason: "FailedGetContainerResourceMetric", message: `the HPA was unable to compute the replica count: ${inner}` });
    expect(a.decisions).toEqual([]);
  });

  it("tolerancesForHpa: behavior.scaleDown.tolerance holds a replica count the controller's 0.1 would cut", () => {
    // 100 rps × 4 ms on 2 pods of 500m (+ the sidecar's 100m): well under a 90 % target.
    const plain = runScenario(scenario(`  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 90}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 0}
`, 100)).summary.autoscalers!["web"]!;
    expect(plain.decisions[0]).toMatchObject({ t: 15, from: 2, to: 1 });
    const tolerant = runScenario(scenario(`  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 90}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 0, tolerance: 1}
`, 100)).summary.autoscalers!["web"]!;
    expect(tolerant.replicas[0]!.metrics[0]).toBe(plain.replicas[0]!.metrics[0]);
    expect(tolerant.decisions).toEqual([]);
    // setStatus: lastScaleTime moves only with a rescale.
    expect(plain.lastScaleTime).toBe(plain.decisions[plain.decisions.length - 1]!.t);
    expect(tolerant.lastScaleTime).toBeNull();
  });
});
