// The services istiod writes in an inbound cluster's telemetry metadata (`statsServices`, what the
// server's reporter names as destination_service): every service selecting the pod whose port has the
// cluster's container port and the first such service's port, in the proxy's service order (creation,
// then hostname). istio/istio pilot/pkg/networking/core/cluster_builder.go (buildCluster, "For inbound
// cluster, add all services on the cluster port"); pilot/pkg/model/context.go (SetServiceTargets).
// inboundClusters takes a shorter way for a pod with one service (src/xds/translation/clusters.ts):
// both ways are checked here.
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/runner/run-scenario.js";
import type { Translator } from "../../src/xds/translation/translator.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { InboundClusters } from "../../src/mesh/sidecar/inbound-cluster.js";

const HEAD = `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: inbound-services}
spec: {duration: 1s}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin}
spec:
  replicas: 1
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec: {containers: [{name: httpbin, image: httpbin, ports: [{containerPort: 8080}, {containerPort: 9090}]}]}
`;

const service = (name: string, ports: string): string => `
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  ports: ${ports}
  selector: {app: httpbin}
`;

function inbound(yaml: string): { name: string; services: readonly string[] | undefined }[] {
  const { world } = createWorld(scenarioFrom(HEAD + yaml));
  const pod = [...world.pods.values()].find((p) => p.workload === "httpbin")!;
  return (world.translation as Translator).inboundClusters(pod, world.heldBy(pod).cds).map((c) => ({ name: c.name, services: c.statsServices }));
}

describe("an inbound cluster's services (telemetry metadata)", () => {
  it("one service: that service on each of its container ports", () => {
    expect(inbound(service("httpbin", "[{name: http, port: 8000, targetPort: 8080}, {name: grpc, port: 9000, targetPort: 9090}]"))).toEqual([
      { name: "inbound|8080||", services: ["httpbin.default.svc.cluster.local"] },
      { name: "inbound|9090||", services: ["httpbin.default.svc.cluster.local"] },
    ]);
  });

  it("several: those with the first one's service port on the container port, in creation order", () => {
    const yaml = service("zeta", "[{name: http, port: 8000, targetPort: 8080}]")
      + service("alpha", "[{name: http, port: 8000, targetPort: 8080}]")
      + service("other", "[{name: http, port: 7000, targetPort: 8080}, {name: grpc, port: 9000, targetPort: 9090}]");
    expect(inbound(yaml)).toEqual([
      { name: "inbound|8080||", services: ["zeta.default.svc.cluster.local", "alpha.default.svc.cluster.local"] },
      { name: "inbound|9090||", services: ["other.default.svc.cluster.local"] },
    ]);
  });

  it("the server side's answer for each port, asked in any order (InboundClusters.statsService remembers the last port)", () => {
    const yaml = service("zeta", "[{name: http, port: 8000, targetPort: 8080}]")
      + service("other", "[{name: http, port: 7000, targetPort: 8080}, {name: grpc, port: 9000, targetPort: 9090}]");
    const { world } = createWorld(scenarioFrom(HEAD + yaml));
    const pod = [...world.pods.values()].find((p) => p.workload === "httpbin")!;
    const cds = world.heldBy(pod).cds;
    const held = new InboundClusters(cds, (world.translation as Translator).inboundClusters(pod, cds), 2, null);
    const want: Record<number, string | undefined> = {
      8080: "zeta.default.svc.cluster.local", 9090: "other.default.svc.cluster.local", 7777: undefined,
    };
    for (const port of [8080, 8080, 9090, 7777, 7777, 8080, 9090, 9090, 7777, 8080]) {
      expect(held.statsService(port)).toBe(want[port]);
    }
  });
});
