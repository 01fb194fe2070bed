// `analyze` for Gateway API routes: each route parent whose Accepted or ResolvedRefs condition is False
// (the status istiod writes, with Gateway API's reasons), and a VirtualService and an HTTPRoute that
// route the same host in the mesh. There istiod does not merge: both are VirtualServices to it and the
// sidecar applies only the first in its precedence order (namespace-local first, then the oldest), so
// Istio's IST0109 (ConflictingMeshGatewayVirtualServiceHosts) applies to the pair.
// https://istio.io/latest/docs/reference/config/analysis/ist0109/ ; "There is no merging for mesh"
// (https://github.com/istio/istio/issues/36621); istio/istio pkg/config/analysis/msg/messages.yaml.
import type { VirtualService } from "../../proxy/api/networking.js";
import { resolveHostName } from "../../proxy/route/host-name.js";
import { MESH_GATEWAY, virtualServiceGateways } from "../../proxy/route/virtual-service-selection.js";
import { PARENT_NAMES_ANNOTATION, type RouteStatus } from "./gateway-api-config.js";
import type { KubernetesGatewayStatus } from "./gateway-status.js";

export interface RouteMessage {
  readonly level: "Error" | "Warning";
  readonly code: string;
  readonly resource: string;
  readonly message: string;
}

/** meshsim's codes (Istio's analyzers do not read route status): MSH0101 not Accepted, MSH0102 refs unresolved, MSH0103 a Gateway's. */
export function routeConditionMessages(routes: readonly RouteStatus[]): RouteMessage[] {
  const out: RouteMessage[] = [];
  for (const r of routes) {
    for (const p of r.parents) {
      for (const c of p.conditions) {
        if (c.status !== "False") continue;
        out.push({
          level: c.type === "Accepted" ? "Error" : "Warning",
          code: c.type === "Accepted" ? "MSH0101" : "MSH0102",
          resource: `${r.kind} ${r.name}.${r.namespace}`,
          message: `parent ${p.parentRef}: ${c.type} False, reason ${c.reason}: ${c.message}${c.type === "ResolvedRefs" ? " (the requests routed to that backend get 500)" : ""}`,
        });
      }
    }
  }
  return out;
}

/** MSH0103: a Gateway or listener condition istiod writes False (a conflicted listener gets no routes). */
export function gatewayConditionMessages(gateways: readonly KubernetesGatewayStatus[]): RouteMessage[] {
  const out: RouteMessage[] = [];
  for (const g of gateways) {
    const resource = `Gateway ${g.name}.${g.namespace}`;
    for (const c of g.conditions) {
      if (c.status === "False") out.push({ level: "Error", code: "MSH0103", resource, message: `${c.type} False, reason ${c.reason}: ${c.message}` });
    }
    for (const l of g.listeners) {
      for (const c of l.conditions) {
        // Conflicted is the one condition whose good state is False (a conflict also sets Accepted False).
        if (c.status !== "False" || c.type === "Conflicted") continue;
        // A listener with bad TLS takes routes but is not served (listener-tls.ts): say which.
        const effect = c.type === "Accepted" ? " (routes cannot attach to it)" : c.type === "Programmed" ? " (the gateway has no server for it: its connections are refused)" : "";
        out.push({ level: "Error", code: "MSH0103", resource, message: `listener ${l.name}: ${c.type} False, reason ${c.reason}: ${c.message}${effect}` });
      }
    }
  }
  return out;
}

function meshHosts(vs: VirtualService): string[] {
  if (!virtualServiceGateways(vs).includes(MESH_GATEWAY)) return [];
  return vs.spec.hosts.map((h) => resolveHostName(h, vs.metadata.namespace));
}

/** IST0109 for a user VirtualService and HTTPRoute-generated one on the same mesh host. */
export function conflictingHostMessages(virtualServices: readonly VirtualService[]): RouteMessage[] {
  const user = virtualServices.filter((v) => v.metadata.annotations[PARENT_NAMES_ANNOTATION] === undefined);
  const generated = virtualServices.filter((v) => v.metadata.annotations[PARENT_NAMES_ANNOTATION] !== undefined);
  const out: RouteMessage[] = [];
  for (const g of generated) {
    for (const host of meshHosts(g)) {
      const clash = user.filter((u) => meshHosts(u).includes(host));
      if (clash.length === 0) continue;
      const routes = g.metadata.annotations[PARENT_NAMES_ANNOTATION]!.split(",").map((x) => x.replace("/", " "));
      const all = [...clash.map((u) => `VirtualService ${u.metadata.name}.${u.metadata.namespace}`), ...routes];
      const winner = [...clash, g].sort((a, b) => a.metadata.creationIndex - b.metadata.creationIndex)[0]!;
      const applies = winner === g ? routes.join(", ") : `VirtualService ${winner.metadata.name}.${winner.metadata.namespace}`;
      for (const u of clash) {
        out.push({
          level: "Warning", code: "IST0109", resource: `VirtualService ${u.metadata.name}.${u.metadata.namespace}`,
          message: `The VirtualServices ${all.join(",")} associated with mesh gateway define the same host ${host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource. (A sidecar applies only the first in istiod's order, those of its own namespace first, then the oldest: here ${applies}.)`,
        });
      }
    }
  }
  return out;
}
