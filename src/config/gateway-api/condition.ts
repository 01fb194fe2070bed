// A status condition as a Gateway API controller writes it on a Gateway, a listener or a route parent
// (metav1.Condition without its timestamp). observedGeneration: the metadata.generation of the
// resource the controller computed it from (istiod writes obj.Generation into every condition:
// gatewaycommon/conversion.go SetListenerConditions, conditions.go setConditions).
// https://gateway-api.sigs.k8s.io/reference/spec/#routeconditiontype ; #gatewayconditiontype ; #listenerconditiontype
export interface Condition {
  readonly type: "Accepted" | "ResolvedRefs" | "Programmed" | "Conflicted";
  readonly status: "True" | "False";
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
}
