// kind: Node read unmodified, the `nodes` shorthand, the scheduling fields of a pod template, and
// the bad input of issue 13 (exit-2 errors with file:line:column and the field's path).
import { describe, expect, it } from "vitest";
import { SIM, load, loadError } from "./scenario-files.js";

const NODE = (name: string, zone: string, extra = "") => `---
apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels: {topology.kubernetes.io/region: r1, topology.kubernetes.io/zone: ${zone}, kubernetes.io/hostname: ${name}}
  uid: 2f7d2c1e
spec: {podCIDR: 10.244.1.0/24, providerID: "aws:///us-east-1a/i-0abc"}
status:
  allocatable: {cpu: 3920m, memory: 15Gi, pods: "110", ephemeral-storage: "95551679124"}
  capacity: {cpu: "4", memory: 16Gi}
  conditions: [{type: Ready, status: "True"}]
  nodeInfo: {kubeletVersion: v1.31.0}
${extra}`;

const DEP = (spec: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
${spec}
      containers: [{name: web, image: web, resources: {requests: {cpu: 250m, memory: 64Mi}}}]
`;

function lines(files: Record<string, string>): string[] {
  return loadError(files).message.split("\n").map((l) => l.replace(/^.*\/(?=[^/]*:\d+:\d+:)/, ""));
}

describe("kind: Node", () => {
  it("is read from kubectl's output unmodified: labels, allocatable; status noise ignored without warnings", () => {
    const s = load({ "main.yaml": `${SIM}${NODE("n1", "a")}` });
    expect(s.warnings).toEqual([]);
    const n = s.nodes![0]!;
    expect(n.metadata.labels["topology.kubernetes.io/zone"]).toBe("a");
    expect(n.allocatableCpuMillis).toBe(3920);
    expect(n.allocatableMemoryBytes).toBe(15 * 2 ** 30);
    expect(n.allocatablePods).toBe(110);
  });
  it("the Simulation's nodes shorthand declares N labelled nodes per zone", () => {
    const s = load({ "main.yaml": `${SIM}spec:\n  nodes:\n  - {region: us-east-1, zone: us-east-1a, count: 2, cpu: "4"}\n  - {region: us-east-1, zone: us-east-1b, count: 1}\n` });
    expect(s.nodes!.map((n) => n.metadata.name)).toEqual(["us-east-1a-0", "us-east-1a-1", "us-east-1b-0"]);
    expect(s.nodes![1]!.metadata.labels).toMatchObject({ "topology.kubernetes.io/zone": "us-east-1a", "kubernetes.io/hostname": "us-east-1a-1" });
    expect(s.nodes![0]!.allocatableCpuMillis).toBe(4000);
  });
  it("without Node documents the scenario has no nodes (one implicit node)", () => {
    expect(load({ "main.yaml": SIM }).nodes).toBeUndefined();
  });
  it("reads nodeSelector, required nodeAffinity, topologySpreadConstraints and requests", () => {
    const s = load({ "main.yaml": `${SIM}${NODE("n1", "a")}${DEP(`      nodeSelector: {topology.kubernetes.io/zone: a}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: topology.kubernetes.io/region, operator: In, values: [r1]}]
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}`)}` });
    const sc = s.deployments[0]!.scheduling!;
    expect(sc.nodeSelector).toEqual({ "topology.kubernetes.io/zone": "a" });
    expect(sc.requiredNodeAffinity).toEqual([[{ key: "topology.kubernetes.io/region", operator: "In", values: ["r1"] }]]);
    expect(sc.topologySpreadConstraints[0]).toMatchObject({ maxSkew: 1, whenUnsatisfiable: "DoNotSchedule", matchLabels: { app: "web" } });
    expect(sc.requests).toEqual({ cpuMillis: 250, memoryBytes: 64 * 2 ** 20 });
  });
});

describe("bad input (issue 13)", () => {
  it("a nodeSelector that matches no node", () => {
    expect(lines({ "main.yaml": `${SIM}${NODE("n1", "a")}${DEP("      nodeSelector: {topology.kubernetes.io/zone: b}")}` }))
      .toEqual(["main.yaml:27:21: error: spec.template.spec.nodeSelector: no node matches the pods' nodeName/nodeSelector/required node affinity (of 1 nodes): they would stay Pending"]);
  });
  it("a topology key no node carries", () => {
    const out = lines({ "main.yaml": `${SIM}${NODE("n1", "a")}${DEP("      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: rack, whenUnsatisfiable: ScheduleAnyway}")}` });
    expect(out).toEqual(['main.yaml:28:9: error: spec.template.spec.topologySpreadConstraints[0].topologyKey: no node carries the label "rack"']);
  });
  it("distribute weights that do not sum to 100, and a failover to the same region", () => {
    const dr = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec:
  host: web
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 1}
    loadBalancer:
      localityLbSetting:
        distribute:
        - from: r1/a/*
          to: {"r1/a/*": 70, "r1/b/*": 20}
`;
    expect(lines({ "main.yaml": `${SIM}${dr}` })).toEqual(["main.yaml:16:15: error: spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to: total locality weight 90 != 100"]);
    const fo = dr.replace(/distribute:[\s\S]*$/, "failover:\n        - {from: r1, to: r1}\n");
    expect(lines({ "main.yaml": `${SIM}${fo}` })).toEqual(["main.yaml:15:11: error: spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]: locality lb failover settings must specify different regions"]);
  });
  // istio/istio pkg/config/validation/agent/validation.go validateLocalities.
  it("distribute localities: a wildcard not at the end, an empty segment, an overlap", async () => {
    const { localityListError } = await import("../../src/scenario/kinds/traffic-policy.js");
    expect(localityListError(["r1/*/s1"])).toBe("locality r1/*/s1 wildcard '*' number can not exceed 1 and must be in the end");
    expect(localityListError(["r1//s1"])).toBe("locality r1//s1 must not contain empty region/zone/subzone info");
    expect(localityListError(["r1/*", "r1/a"])).toBe("locality r1/a overlap with previous specified ones");
    expect(localityListError(["r1/a/*", "r1/a/s1"])).toBe("locality r1/a/s1 overlap with previous specified ones");
    expect(localityListError(["*", "r2"])).toBe("locality r2 overlap with previous specified ones");
    expect(localityListError(["r1/a/*", "r1/b/*", "r2"])).toBeUndefined();
    const dr = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec:
  host: web
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 1}
    loadBalancer:
      localityLbSetting:
        distribute:
        - from: r1/a/*
          to: {"r1/*": 70, "r1/b": 30}
`;
    expect(lines({ "main.yaml": `${SIM}${dr}` })).toEqual(["main.yaml:16:15: error: spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to: locality r1/b overlap with previous specified ones"]);
  });
  it("failover without outlier detection is accepted with Istio's warning", () => {
    const s = load({ "main.yaml": `${SIM}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec:
  host: web
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        failover: [{from: r1, to: r2}]
` });
    expect(s.warnings.map((w) => w.message)).toEqual(["outlier detection policy must be provided for failover (without it istiod applies no failover priorities)"]);
  });
  it("an unknown zone or node in a timeline fault", () => {
    const out = lines({ "main.yaml": `${SIM}spec:\n  timeline:\n  - at: 1s\n    kill: {zone: us-east-1z}\n  - at: 2s\n    drain: {node: n9}\n${NODE("n1", "a")}` });
    expect(out).toEqual([
      'main.yaml:7:18: error: spec.timeline[0].kill.zone: no zone "us-east-1z" (known: a)',
      'main.yaml:9:19: error: spec.timeline[1].drain.node: no node "n9" (known: n1)',
    ]);
  });
});
