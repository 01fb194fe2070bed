// The ambient index of a scenario (issue 16): enrolment, service and workload waypoints together,
// from the Bookinfo waypoint task (https://istio.io/latest/docs/ambient/usage/waypoint/).
import { describe, expect, it } from "vitest";
import { ambientIndex } from "../../../src/config/ambient/ambient-index.js";
import { scenarioFrom } from "../../support/scenario-text.js";

const S = scenarioFrom(`apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: i}
spec: {duration: 10s, mesh: {mode: ambient}}
---
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, labels: {istio.io/waypoint-for: all}}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, labels: {istio.io/ingress-use-waypoint: "true"}}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: ratings, labels: {istio.io/use-waypoint: none}}
spec: {selector: {app: ratings}, ports: [{name: http, port: 9080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1}
spec:
  selector: {matchLabels: {app: reviews}}
  template: {metadata: {labels: {app: reviews}}, spec: {containers: [{name: r, image: r}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ratings-v1}
spec:
  selector: {matchLabels: {app: ratings}}
  template: {metadata: {labels: {app: ratings, istio.io/dataplane-mode: none}}, spec: {containers: [{name: r, image: r}]}}
`);

describe("ambientIndex", () => {
  const idx = ambientIndex({ mesh: S.simulation.mesh, namespaces: S.namespaces, services: S.services, deployments: S.deployments, gatewayApi: S.gatewayApi });
  const wp = (b: { waypoint?: { name: string } }) => b.waypoint?.name;
  it("finds the waypoint Gateway", () => expect(idx.waypoints.map((w) => `${w.namespace}/${w.name}:${w.trafficType}`)).toEqual(["default/waypoint:all"]));
  it("binds each Service: the namespace's waypoint, or none when opted out", () => {
    expect(wp(idx.services.get("reviews.default.svc.cluster.local")!.binding)).toBe("waypoint");
    expect(idx.services.get("reviews.default.svc.cluster.local")!.ingressUseWaypoint).toBe(true);
    expect(wp(idx.services.get("ratings.default.svc.cluster.local")!.binding)).toBeUndefined();
  });
  it("enrols workloads and binds an ambient one's own traffic to an `all` waypoint; an opted-out pod has none", () => {
    const reviews = idx.workloads.get("default/reviews-v1")!;
    expect([reviews.dataplane.mode, wp(reviews.binding)]).toEqual(["ambient", "waypoint"]);
    const ratings = idx.workloads.get("default/ratings-v1")!;
    expect([ratings.dataplane.mode, wp(ratings.binding)]).toEqual(["none", undefined]);
  });
});
