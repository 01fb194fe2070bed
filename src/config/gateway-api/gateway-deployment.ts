// The Deployment, Service and service account istiod's deployment controller renders for a Gateway of
// one of its classes: named `<gateway>-<gatewayClassName>` ("bookinfo-gateway-istio" for class istio),
// unless the annotation gateway.istio.io/name-override names it; the service account has the same name
// unless gateway.istio.io/service-account names another. (Waypoints, whose class disables the suffix,
// are config/ambient/waypoint-gateway.ts.)
// istio/istio pilot/pkg/config/kube/gatewaycommon/gateway_utils.go GetDefaultName, gateway_collection.go
// (annotation.GatewayServiceAccount), conversion.go extractGatewayServices (annotation.GatewayNameOverride);
// https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/#automated-deployment
import type { KubernetesGateway } from "../../proxy/api/gateway-api.js";

export const GATEWAY_NAME_OVERRIDE_ANNOTATION = "gateway.istio.io/name-override";
export const GATEWAY_SERVICE_ACCOUNT_ANNOTATION = "gateway.istio.io/service-account";

type GatewayMeta = Pick<KubernetesGateway, "metadata" | "spec">;

/** The name of the Deployment and Service istiod generates for the Gateway. */
export function gatewayDeploymentName(gw: GatewayMeta): string {
  return gw.metadata.annotations[GATEWAY_NAME_OVERRIDE_ANNOTATION] ?? `${gw.metadata.name}-${gw.spec.gatewayClassName}`;
}

/** The service account the generated Deployment runs as (its SPIFFE identity). */
export function gatewayServiceAccount(gw: GatewayMeta): string {
  return gw.metadata.annotations[GATEWAY_SERVICE_ACCOUNT_ANNOTATION] ?? `${gw.metadata.name}-${gw.spec.gatewayClassName}`;
}
