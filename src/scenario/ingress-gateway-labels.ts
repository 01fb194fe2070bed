// The labels of the ingress gateway pod a Gateway resource configures. Istio's default gateway
// deployment (istio-ingressgateway, in istio-system) carries both `istio: ingressgateway` and
// `app: istio-ingressgateway`, and Istio's tasks select it by either: "JWT at ingress" by `istio`,
// "ingress authorization" by `app`.
// https://github.com/istio/istio/blob/master/manifests/charts/gateways/istio-ingress/values.yaml (gateways.istio-ingressgateway.labels)
// https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/

/** The gateway pod's labels: the Gateway's selector, plus `app: istio-ingressgateway` for Istio's default gateway. */
export function ingressGatewayLabels(selector: Readonly<Record<string, string>>): Record<string, string> {
  return selector["istio"] === "ingressgateway" ? { app: "istio-ingressgateway", ...selector } : { ...selector };
}
