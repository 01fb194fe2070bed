// `istioctl analyze` for a scenario: the classic configuration mistakes, found before (or while) they
// hurt. Messages use istioctl's format, `<Level> [<code>] (<Kind> <name>.<namespace>) <details>`,
// with Istio's codes where Istio has an analyzer for the mistake and meshsim's own (MSH…) otherwise.
// https://istio.io/latest/docs/reference/config/analysis/message-format/
import type { Deployment } from "../scenario/model.js";
import type { ObjectMeta } from "../proxy/api/networking.js";
import { resolveGatewayName, MESH_GATEWAY } from "../proxy/route/virtual-service-selection.js";
import { resolveHostName } from "../proxy/route/host-name.js";
import { destinationRuleFor, subsetLabels } from "../proxy/destination-rule.js";
import { effectivePeerAuthentication, mtlsForPort } from "../proxy/security/peer-authentication.js";
import { parsePrincipal } from "../proxy/security/identity.js";
import { DEFAULT_ROOT_NAMESPACE, hasSelector, selectorMatches } from "../proxy/security/policy-scope.js";
import { ingressGatewayLabels } from "../scenario/ingress-gateway-labels.js";

/** Where meshsim runs the ingress gateway's pod (Istio's istio-ingressgateway deployment). */
const GATEWAY_NAMESPACE = "istio-system";
import { analyzeLocality } from "./locality-analyze.js";
import { isGenerated, type MeshConfig } from "./mesh-config.js";
import { conflictingHostMessages, gatewayConditionMessages, routeConditionMessages } from "./gateway-api/route-analysis.js";
import { analyzeAmbient, type AmbientClusterView } from "./ambient/ambient-analyze.js";

export interface AnalysisMessage {
  readonly level: "Error" | "Warning" | "Info";
  readonly code: string;
  /** "Kind name.namespace" */
  readonly resource: string;
  readonly message: string;
}

/** What the analyzers know of the cluster besides the Istio config. */
export interface ClusterView {
  readonly deployments: readonly Deployment[];
  /** Kubernetes Service hosts (FQDN) with their ports and target ports. */
  readonly services: ReadonlyMap<string, readonly { port: number; targetPort: number }[]>;
  /** Distinct zones of the scenario's nodes (0 without nodes). */
  readonly zones?: number;
  /** Namespaces, Services and the install, for the ambient analyzers (absent: none run). */
  readonly ambient?: AmbientClusterView;
}

export function formatMessage(m: AnalysisMessage): string {
  return `${m.level} [${m.code}] (${m.resource}) ${m.message}`;
}

function ref(kind: string, meta: ObjectMeta): string {
  return `${kind} ${meta.name}.${meta.namespace}`;
}

export function analyze(config: MeshConfig, cluster: ClusterView): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  const gateways = new Set(config.gateways.map((g) => `${g.metadata.namespace}/${g.metadata.name}`));
  // Gateway API routes: their status conditions, and a VirtualService on the same mesh host.
  out.push(...gatewayConditionMessages(config.gatewayStatus), ...routeConditionMessages(config.routeStatus), ...conflictingHostMessages(config.virtualServices));
  for (const vs of config.virtualServices) {
    // Generated from Gateway API routes: reported above from the routes' own status.
    if (isGenerated(vs)) continue;
    // IST0101: a VirtualService bound to a Gateway that does not exist routes nothing.
    for (const g of vs.spec.gateways ?? []) {
      if (g === MESH_GATEWAY || gateways.has(resolveGatewayName(g, vs.metadata.namespace))) continue;
      out.push({ level: "Error", code: "IST0101", resource: ref("VirtualService", vs.metadata), message: `Referenced gateway not found: ${JSON.stringify(g)}` });
    }
    // IST0101: a subset no DestinationRule defines ⇒ 503 NC for the requests routed there.
    for (const http of vs.spec.http ?? []) {
      for (const r of http.route ?? []) {
        const d = r.destination;
        if (d.subset === undefined) continue;
        const host = resolveHostName(d.host, vs.metadata.namespace);
        const dr = destinationRuleFor(config.destinationRules, host, vs.metadata.namespace, {}, host.split(".")[1] ?? vs.metadata.namespace);
        if (subsetLabels(dr, d.subset) !== undefined) continue;
        out.push({
          level: "Error", code: "IST0101", resource: ref("VirtualService", vs.metadata),
          message: `Referenced host+subset in destinationrule not found: ${JSON.stringify(`${d.host}+${d.subset}`)}`,
        });
      }
    }
  }
  for (const dr of config.destinationRules) {
    // A client forced to plaintext toward workloads that accept only mTLS: every call fails (503 UC).
    if (dr.spec.trafficPolicy?.tls?.mode !== "DISABLE") continue;
    const host = resolveHostName(dr.spec.host, dr.metadata.namespace);
    const ports = cluster.services.get(host);
    if (ports === undefined) continue;
    const ns = host.split(".")[1] ?? dr.metadata.namespace;
    const strict = cluster.deployments.some((dep) => {
      if (dep.metadata.namespace !== ns) return false;
      const pa = effectivePeerAuthentication(config.peerAuthentications, { namespace: ns, labels: dep.podLabels });
      return ports.some((p) => mtlsForPort(pa, p.targetPort).mode === "STRICT");
    });
    if (strict) {
      out.push({
        level: "Error", code: "MSH0001", resource: ref("DestinationRule", dr.metadata),
        message: `tls.mode DISABLE sends plaintext to ${host}, whose workloads require mTLS (PeerAuthentication STRICT): the server closes every connection (503 UC)`,
      });
    }
  }
  const identities = new Set(cluster.deployments.map((d) => `${d.metadata.namespace}/${d.serviceAccountName}`));
  for (const ap of config.authorizationPolicies) {
    const sel = ap.spec.selector;
    const selected = cluster.deployments.filter((d) =>
      (ap.metadata.namespace === DEFAULT_ROOT_NAMESPACE || d.metadata.namespace === ap.metadata.namespace) && selectorMatches(sel, d.podLabels));
    // IST0127: a selector that matches no workload protects nothing. The ingress gateway a Gateway
    // configures (in istio-system) is a workload too: policies there run in its Envoy.
    const atGateway = (ap.metadata.namespace === DEFAULT_ROOT_NAMESPACE || ap.metadata.namespace === GATEWAY_NAMESPACE)
      && config.gateways.some((g) => selectorMatches(sel, ingressGatewayLabels(g.spec.selector)));
    if (hasSelector(sel) && selected.length === 0 && !atGateway) {
      const labels = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
      out.push({ level: "Warning", code: "IST0127", resource: ref("AuthorizationPolicy", ap.metadata), message: `No matching workloads for this resource with the following labels: ${labels}` });
    }
    (ap.spec.rules ?? []).forEach((rule, i) => {
      for (const from of rule?.from ?? []) {
        for (const p of from.source?.principals ?? []) {
          if (p === "*" || p.includes("*")) continue;
          const id = parsePrincipal(p);
          if (id !== undefined && identities.has(`${id.namespace}/${id.serviceAccount}`)) continue;
          out.push({
            level: "Warning", code: "MSH0002", resource: ref("AuthorizationPolicy", ap.metadata),
            message: `rules[${i}]: principal ${JSON.stringify(p)} is no workload's identity (cluster.local/ns/<namespace>/sa/<service account>): it never matches`,
          });
        }
        // Principals and namespaces come from the mTLS certificate: a DISABLE workload never sees one.
        if ((from.source?.principals ?? []).length + (from.source?.namespaces ?? []).length === 0) continue;
        const plaintextOnly = selected.filter((d) =>
          effectivePeerAuthentication(config.peerAuthentications, { namespace: d.metadata.namespace, labels: d.podLabels }).mode === "DISABLE");
        for (const d of plaintextOnly) {
          out.push({
            level: "Warning", code: "MSH0003", resource: ref("AuthorizationPolicy", ap.metadata),
            message: `rules[${i}]: principals/namespaces need mTLS, but ${d.metadata.name} accepts plaintext only (PeerAuthentication DISABLE): the rule never matches there`,
          });
        }
      }
    });
  }
  out.push(...analyzeLocality(config, cluster.zones ?? 0));
  if (cluster.ambient !== undefined) out.push(...analyzeAmbient(config, cluster.ambient));
  return out;
}
