// The AuthorizationPolicies (and RequestAuthentications) a waypoint enforces for requests to one Service: those whose targetRefs
// name the waypoint's Gateway, or the Service itself (Beta), each rewritten as a namespace-wide policy
// of the Service's namespace (its targets already matched) so that the sidecar's authorization engine
// evaluates it with the original client's identity, which HBONE carries to the waypoint. Read by the
// run's waypoint hop (mesh/waypoint/waypoint-hop.ts) and by explain (xds/ambient-explain.ts).
// https://istio.io/latest/docs/ambient/usage/l7-features/#security-authorization
import type { PolicyTargetRef } from "../../proxy/api/security.js";

/** A policy kind that attaches by `targetRefs` (AuthorizationPolicy, RequestAuthentication). */
interface TargetedPolicy {
  readonly metadata: { readonly namespace: string };
  readonly spec: { readonly targetRefs?: readonly PolicyTargetRef[] | undefined; readonly selector?: unknown };
}

export function waypointPolicies<P extends TargetedPolicy>(
  policies: readonly P[], waypoint: { readonly name: string; readonly namespace: string } | undefined, serviceFqdn: string,
): P[] {
  const [svcName, svcNs] = serviceFqdn.split(".");
  const targeted: P[] = [];
  for (const p of policies) {
    const refs = p.spec.targetRefs ?? [];
    const hit = refs.some((r) => {
      const ns = r.namespace ?? p.metadata.namespace;
      if (r.kind === "Gateway") return waypoint !== undefined && r.name === waypoint.name && ns === waypoint.namespace;
      return r.kind === "Service" && (r.group === "" || r.group === "core") && r.name === svcName && ns === svcNs;
    });
    if (hit) targeted.push({ ...p, metadata: { ...p.metadata, namespace: svcNs ?? p.metadata.namespace }, spec: { ...p.spec, targetRefs: undefined, selector: undefined } } as P);
  }
  return targeted;
}
