// The waypoints' Deployments and Services: for every Gateway of class istio-waypoint in the scenario,
// istiod's gateway controller creates `<gateway>` Deployment and Service in the Gateway's namespace
// (config/ambient/waypoint-gateway.ts generates them); they join the world like the user's own, so
// the waypoint's pods are scheduled, counted and scaled like any pod. Waypoints only exist in ambient
// mode's install. Gateways applied later on the timeline get no Deployment (docs/ambient.md#limits).
// https://istio.io/latest/docs/ambient/usage/waypoint/
import type { KubernetesGateway } from "../../proxy/api/gateway-api.js";
import { GATEWAY_MANAGED_LABEL, WAYPOINT_MANAGED_VALUE, generateWaypointWorkload, isWaypointGateway } from "../../config/ambient/waypoint-gateway.js";
import type { Scenario, SourcePos } from "../../scenario/model.js";

/** The scenario with its waypoints' generated Deployments and Services added (ambient mode only). */
export function withWaypointWorkloads(scenario: Scenario): Scenario {
  if (scenario.simulation.mesh.mode !== "ambient") return scenario;
  const gws = scenario.gatewayApi.filter((r): r is KubernetesGateway => r.kind === "KubernetesGateway" && isWaypointGateway(r as KubernetesGateway, scenario.gatewayApi));
  if (gws.length === 0) return scenario;
  const deployments = [...scenario.deployments];
  const services = [...scenario.services];
  for (const gw of gws) {
    const w = generateWaypointWorkload(gw, (gw as { pos?: SourcePos }).pos ?? scenario.simulation.pos);
    const ns = gw.metadata.namespace;
    if (!deployments.some((d) => d.metadata.namespace === ns && d.metadata.name === w.deployment.metadata.name)) deployments.push(w.deployment);
    if (!services.some((s) => s.metadata.namespace === ns && s.metadata.name === w.service.metadata.name)) services.push(w.service);
  }
  return { ...scenario, deployments, services };
}

/** A waypoint's pod (an Envoy the gateway controller deployed; no app, not captured). */
export function isWaypointPod(labels: Readonly<Record<string, string>>): boolean {
  return labels[GATEWAY_MANAGED_LABEL] === WAYPOINT_MANAGED_VALUE;
}
