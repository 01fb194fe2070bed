// ReferenceGrant: a route may name a backend in another namespace only when a ReferenceGrant in the
// backend's namespace lets routes of that kind from the route's namespace refer to it (to.name absent
// = every object of that kind). https://gateway-api.sigs.k8s.io/api-types/referencegrant/ ;
// istio/istio pilot/pkg/config/kube/gateway/conversion.go buildDestination (BackendAllowed).
import type { ReferenceGrant } from "../../proxy/api/gateway-api.js";
import { GATEWAY_GROUP } from "../../proxy/api/gateway-api.js";

export function backendAllowed(
  grants: readonly ReferenceGrant[], fromKind: string, fromNamespace: string,
  toGroup: string, toKind: string, toName: string, toNamespace: string,
): boolean {
  if (fromNamespace === toNamespace) return true;
  for (const g of grants) {
    if (g.metadata.namespace !== toNamespace) continue;
    const from = g.spec.from.some((f) => f.group === GATEWAY_GROUP && f.kind === fromKind && f.namespace === fromNamespace);
    if (!from) continue;
    if (g.spec.to.some((t) => t.group === toGroup && t.kind === toKind && (t.name === undefined || t.name === toName))) return true;
  }
  return false;
}
