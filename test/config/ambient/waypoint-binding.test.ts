// Waypoint binding (issue 16): pilot/pkg/serviceregistry/ambient/waypoints.go and status.go, the
// examples of https://istio.io/latest/docs/ambient/usage/waypoint/ ("Use a waypoint proxy").
import { describe, expect, it } from "vitest";
import {
  clientUsesWaypoint, ingressUseWaypoint, useWaypoint, waypointBoundCondition, waypointForService, waypointForWorkload,
} from "../../../src/config/ambient/waypoint-binding.js";
import type { Waypoint } from "../../../src/config/ambient/waypoint-gateway.js";

const wp = (name: string, namespace: string, trafficType: Waypoint["trafficType"] = "service", from: "Same" | "All" = "Same"): Waypoint =>
  ({ name, namespace, trafficType, allowedRoutes: { from }, address: `${name}.${namespace}.svc.cluster.local` });
const WAYPOINTS = [wp("waypoint", "default"), wp("reviews-svc-waypoint", "default"), wp("wl", "default", "workload"), wp("all", "default", "all"), wp("shared", "infra", "all", "All"), wp("private", "infra", "all")];
const NS_WP = { "istio.io/use-waypoint": "waypoint" };
const name = (b: { waypoint?: Waypoint }) => b.waypoint === undefined ? undefined : `${b.waypoint.namespace}/${b.waypoint.name}`;

describe("useWaypoint reads one object's labels", () => {
  it.each([
    [{}, undefined],
    [{ "istio.io/use-waypoint": "none" }, "none"],
    [{ "istio.io/use-waypoint": "waypoint" }, { name: "waypoint", namespace: "default" }],
    [{ "istio.io/use-waypoint": "egress", "istio.io/use-waypoint-namespace": "istio-egress" }, { name: "egress", namespace: "istio-egress" }],
    // The namespace label alone names nothing.
    [{ "istio.io/use-waypoint-namespace": "istio-egress" }, undefined],
  ])("%j ⇒ %j", (labels, want) => expect(useWaypoint(labels, "default")).toEqual(want));
});

describe("waypointForService: most specific wins, none opts out", () => {
  const table: [string, Record<string, string>, Record<string, string>, string | undefined, string | undefined][] = [
    ["namespace label binds every service", {}, NS_WP, "default/waypoint", undefined],
    ["service label beats the namespace label", { "istio.io/use-waypoint": "reviews-svc-waypoint" }, NS_WP, "default/reviews-svc-waypoint", undefined],
    ["service labelled none opts out of the namespace's", { "istio.io/use-waypoint": "none" }, NS_WP, undefined, undefined],
    ["no label anywhere", {}, {}, undefined, undefined],
    ["a waypoint that does not exist: not ready", { "istio.io/use-waypoint": "missing" }, {}, undefined, "WaypointIsNotReady"],
    ["a workload-only waypoint cannot take service traffic", { "istio.io/use-waypoint": "wl" }, {}, undefined, "UnsupportedTrafficType"],
    ["an all waypoint takes service traffic", { "istio.io/use-waypoint": "all" }, {}, "default/all", undefined],
    ["cross-namespace, allowed (from: All)", { "istio.io/use-waypoint": "shared", "istio.io/use-waypoint-namespace": "infra" }, {}, "infra/shared", undefined],
    ["cross-namespace, denied (from: Same)", { "istio.io/use-waypoint": "private", "istio.io/use-waypoint-namespace": "infra" }, {}, undefined, "AttachmentDenied"],
    ["a waypoint's own Service has no waypoint", { "gateway.istio.io/managed": "istio.io-mesh-controller" }, NS_WP, undefined, undefined],
  ];
  it.each(table)("%s", (_n, svcLabels, nsLabels, want, error) => {
    const b = waypointForService({ namespace: "default", labels: svcLabels }, nsLabels, WAYPOINTS);
    expect(name(b)).toBe(want);
    expect(b.error?.reason).toBe(error);
  });
  it("the status messages are istiod's", () => {
    expect(waypointForService({ namespace: "default", labels: { "istio.io/use-waypoint": "wl" } }, {}, WAYPOINTS).error?.message)
      .toBe('attempting to bind to traffic type "service" which the waypoint "default/wl" does not support');
    expect(waypointForService({ namespace: "default", labels: { "istio.io/use-waypoint": "missing" } }, {}, WAYPOINTS).error?.message)
      .toBe('waypoint "default/missing" is not ready');
  });
});

describe("waypointForWorkload: workload or all waypoints only", () => {
  it("a service waypoint inherited from the namespace is silently not for pod traffic", () => {
    const b = waypointForWorkload({ namespace: "default", labels: {} }, NS_WP, WAYPOINTS);
    expect(b).toEqual({});
  });
  it("a service waypoint named on the pod is an error", () => {
    expect(waypointForWorkload({ namespace: "default", labels: { "istio.io/use-waypoint": "waypoint" } }, {}, WAYPOINTS).error?.reason).toBe("UnsupportedTrafficType");
  });
  it("workload and all waypoints bind; the pod's label beats the namespace's", () => {
    expect(name(waypointForWorkload({ namespace: "default", labels: { "istio.io/use-waypoint": "wl" } }, { "istio.io/use-waypoint": "all" }, WAYPOINTS))).toBe("default/wl");
    expect(name(waypointForWorkload({ namespace: "default", labels: {} }, { "istio.io/use-waypoint": "all" }, WAYPOINTS))).toBe("default/all");
    expect(name(waypointForWorkload({ namespace: "default", labels: { "istio.io/use-waypoint": "none" } }, { "istio.io/use-waypoint": "all" }, WAYPOINTS))).toBeUndefined();
  });
});

describe("ingress-use-waypoint and who goes through the waypoint", () => {
  it("service label first, then the namespace's; Go ParseBool values", () => {
    expect(ingressUseWaypoint({ "istio.io/ingress-use-waypoint": "true" }, {})).toEqual({ present: true, use: true });
    expect(ingressUseWaypoint({}, { "istio.io/ingress-use-waypoint": "True" })).toEqual({ present: true, use: true });
    expect(ingressUseWaypoint({ "istio.io/ingress-use-waypoint": "false" }, { "istio.io/ingress-use-waypoint": "true" })).toEqual({ present: true, use: false });
    expect(ingressUseWaypoint({ "istio.io/ingress-use-waypoint": "yes" }, {})).toEqual({ present: true, use: false });
    expect(ingressUseWaypoint({}, {})).toEqual({ present: false, use: false });
  });
  it.each([
    ["ambient", false, true], ["none", false, false], ["sidecar", true, false], ["ingress-gateway", false, false], ["ingress-gateway", true, true],
  ] as const)("%s client (ingress-use-waypoint %s) ⇒ %s", (client, ingress, want) => expect(clientUsesWaypoint(client, ingress)).toBe(want));
  it("WaypointBound condition texts", () => {
    const bound = waypointForService({ namespace: "default", labels: {} }, NS_WP, WAYPOINTS);
    expect(waypointBoundCondition(bound, { present: true, use: true })?.message).toBe("Successfully attached to waypoint default/waypoint. Ingress traffic will traverse the waypoint");
    expect(waypointBoundCondition(bound, { present: false, use: false })?.status).toBe("True");
    expect(waypointBoundCondition(waypointForService({ namespace: "default", labels: { "istio.io/use-waypoint": "missing" } }, {}, WAYPOINTS), { present: false, use: false }))
      .toEqual({ status: "False", reason: "WaypointIsNotReady", message: 'waypoint "default/missing" is not ready' });
    expect(waypointBoundCondition({}, { present: false, use: false })).toBeUndefined();
  });
});
