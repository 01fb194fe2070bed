// autoscaling/v2 HorizontalPodAutoscaler read as the API server validates and defaults it.
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/scenario/diagnostic.js";
import { SIM, load, loadError } from "./scenario-files.js";

const APP = `spec: {duration: 60s}
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
      containers: [{name: web, image: x, resources: {requests: {cpu: 200m}}}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: web}
spec: {selector: {app: web}, serviceTime: 1ms}
`;

const hpa = (spec: string) => ({ "main.yaml": `${SIM}${APP}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
${spec}` });

function errors(spec: string): string[] {
  return loadError(hpa(spec)).message.split("\n").map((l) => l.replace(/^.*\/(?=[^/]*:\d+:\d+:)/, ""));
}

describe("HorizontalPodAutoscaler", () => {
  it("gets the API server's defaults: minReplicas 1, cpu at 80 %, behavior left unset", () => {
    const s = load(hpa(`  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 5\n`));
    const h = s.autoscalers![0]!;
    expect(h).toMatchObject({ target: "web", minReplicas: 1, maxReplicas: 5, behavior: null });
    expect(h.metrics).toEqual([{ type: "Resource", resource: "cpu", target: { type: "Utilization", averageUtilization: 80 }, path: "spec.metrics" }]);
  });

  it("fills a written behavior's missing parts from the defaults (scaleDown's window stays the controller's)", () => {
    const s = load(hpa(`  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 5
  behavior:
    scaleDown: {selectPolicy: Min}
`));
    expect(s.autoscalers![0]!.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }], tolerance: null },
      scaleDown: { stabilizationWindowSeconds: null, selectPolicy: "Min", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }], tolerance: null },
    });
  });

  it("reads behavior.scaleUp/scaleDown.tolerance (HPAConfigurableTolerance, beta and on in 1.35) as a quantity ≥ 0", () => {
    const s = load(hpa(`  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 5
  behavior:
    scaleUp: {tolerance: 0}
    scaleDown: {tolerance: "50m"}
`));
    expect(s.autoscalers![0]!.behavior).toMatchObject({ scaleUp: { tolerance: 0 }, scaleDown: { tolerance: 0.05 } });
    expect(errors(`  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 5\n  behavior: {scaleUp: {tolerance: -0.1}}\n`)[0]).toMatch(/main\.yaml:28:\d+: error: spec\.behavior\.scaleUp\.tolerance: must be greater than or equal to 0/);
    expect(errors(`  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 5\n  behavior: {scaleDown: {tolerance: "-50m"}}\n`)[0]).toMatch(/spec\.behavior\.scaleDown\.tolerance: must be greater than or equal to 0/);
    expect(errors(`  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 5\n  behavior: {scaleDown: {tolerance: "lots"}}\n`)[0]).toMatch(/spec\.behavior\.scaleDown\.tolerance: invalid quantity "lots"/);
  });

  it("reads Resource and ContainerResource metrics with Utilization and AverageValue targets", () => {
    const s = load(hpa(`  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 5
  metrics:
  - type: ContainerResource
    containerResource: {name: cpu, container: web, target: {type: Utilization, averageUtilization: 60}}
  - type: Resource
    resource: {name: cpu, target: {type: AverageValue, averageValue: 250m}}
`));
    expect(s.autoscalers![0]!.metrics.map((m) => [m.type, m.container, m.target])).toEqual([
      ["ContainerResource", "web", { type: "Utilization", averageUtilization: 60 }],
      ["Resource", undefined, { type: "AverageValue", averageValueMilli: 250, text: "250m" }],
    ]);
  });

  it("rejects minReplicas above maxReplicas, a missing target Deployment and a Value target, with file:line:column", () => {
    expect(errors(`  scaleTargetRef: {kind: Deployment, name: web}\n  minReplicas: 6\n  maxReplicas: 5\n`)).toEqual([
      "main.yaml:28:16: error: spec.maxReplicas: must be greater than or equal to `minReplicas` (6)",
    ]);
    expect(errors(`  scaleTargetRef: {kind: Deployment, name: nope}\n  maxReplicas: 5\n`)).toEqual([
      'main.yaml:26:44: error: spec.scaleTargetRef.name: no Deployment "nope" in namespace "default"',
    ]);
    expect(errors(`  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Value, value: "1"}}
`)[0]).toMatch(/main\.yaml:30:\d+: error: spec\.metrics\[0\]\.resource\.target\.type: must be either Utilization or AverageValue; got "Value"/);
    expect(errors(`  scaleTargetRef: {kind: StatefulSet, name: web}\n  maxReplicas: 5\n`)[0]).toMatch(/spec\.scaleTargetRef\.kind: meshsim scales Deployments only/);
    expect(errors(`  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 5\n  behavior: {scaleUp: {policies: []}}\n`)[0]).toMatch(/spec\.behavior\.scaleUp\.policies: must specify at least one Policy/);
  });

  it("warns about Pods, Object and External metrics (not modelled) and leaves them out", () => {
    const s = load(hpa(`  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 5
  metrics:
  - type: Pods
    pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: "10"}}
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`));
    expect(s.autoscalers![0]!.metrics).toHaveLength(1);
    expect(s.warnings.map((w) => formatDiagnostic(w))).toEqual([expect.stringMatching(/warning: spec\.metrics\[0\]\.type: Pods metrics come from a custom or external metrics API meshsim does not model/)]);
  });

  it("refuses a memory metric when meshsim cannot know the app's working set", () => {
    expect(errors(`  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 200Mi}}
`)[0]).toMatch(/spec\.metrics\[0\]: a memory metric needs the app's working set.*spec\.memory/);
  });
});
