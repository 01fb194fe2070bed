// `meshsim explain` for a request from an ambient pod: the way of one connection through ambient's
// data plane, as the simulation takes it (mesh/ztunnel/ztunnel-path.ts, ztunnel-inbound.ts) — istio-cni
// capture to the node's ztunnel, the waypoint the Service is bound to and the binding rule that chose
// it (config/ambient/waypoint-binding.ts), ztunnel's per-connection endpoint choice with its locality
// tiers (proxy/ztunnel/endpoint-choice.ts), HBONE or plaintext, the waypoint's own Envoy routing
// (xds/explain.ts on the waypoint pod's config), and the destination ztunnel's STRICT mTLS and L4
// AuthorizationPolicy decision (proxy/ztunnel/l4-authorization.ts on ztunnelPolicies, the list the run
// enforces). https://istio.io/latest/docs/ambient/architecture/data-plane/
import type { MeshConfig } from "../config/mesh-config.js";
import type { AmbientIndex } from "../config/ambient/ambient-index.js";
import type { Pod } from "../mesh/kube/pod.js";
import type { ServiceRegistry, ServiceState } from "../mesh/kube/service-registry.js";
import type { HttpRequest } from "../proxy/http-request.js";
import { localityRank } from "../proxy/ztunnel/endpoint-choice.js";
import { workloadLocality } from "../mesh/ztunnel/workload-locality.js";
import type { CallTarget, Namespace } from "../scenario/model.js";
import type { ExplainDecision } from "./explain.js";
import { serviceRoutingPreference } from "./translation/ztunnel-config.js";
import { waypointPolicies } from "../config/ambient/waypoint-policies.js";
import { compileAuthorization, evaluateAuthorization } from "../proxy/security/authorization/authorization.js";
import { l4Verdict, type L4Verdict } from "./ztunnel-inbound-decision.js";

/** The world as ambient explain reads it, at one simulated time. */
export interface AmbientExplainView {
  readonly from: Pod;
  /** The config istiod holds now: what ztunnel's WDS and policies were built from. */
  readonly config: MeshConfig;
  readonly index: AmbientIndex;
  readonly registry: ServiceRegistry;
  readonly namespaces: readonly Namespace[];
  /** The ztunnel pod of the node a pod runs on. */
  ztunnelOf(pod: Pod): Pod;
  /** The pod's Deployment as "namespace/name" (the index's key). */
  deploymentKeyOf(pod: Pod): string | undefined;
  /** The waypoint pod's Envoy walking the request (xds/explain.ts on what that pod holds). */
  waypointEnvoy(waypointPod: Pod, req: HttpRequest, target: CallTarget): { lines: string[]; decision: ExplainDecision };
}

/** One pod a connection may land on, and whether it is reached over HBONE. */
export interface AmbientCandidate { readonly pod: string; readonly hbone: boolean }

/** What explain decided, for comparison with what the run does (tests read it). */
export interface AmbientDecision {
  /** "ambient" (through ztunnel), "passthrough" (a host outside the cluster), "no-endpoint". */
  readonly path: "ambient" | "passthrough" | "no-endpoint";
  /** The waypoint Service's FQDN ("" none). */
  readonly waypoint: string;
  /** Where the binding came from: "object" (the Service's own label), "namespace", or "". */
  readonly bindingFrom: string;
  /** The pods ztunnel may pick for a new connection (the waypoint's pods when there is one). */
  readonly candidates: readonly AmbientCandidate[];
  /** Per destination pod of the Service: the destination ztunnel's decision for a connection from the last hop. */
  readonly l4: readonly L4Verdict[];
  /** The waypoint Envoy's routing decision (undefined without a waypoint). */
  readonly envoy?: ExplainDecision;
  /** The waypoint's L7 authorization for this request (undefined: no policy targets it). */
  readonly waypointAuthz?: { readonly allowed: boolean; readonly status: number; readonly policy: string };
}

/** The endpoints ztunnel draws among for a new connection from `from`: the best locality tier only (or all without a preference). */
export function connectionCandidates(from: Pod, svc: ServiceState, namespaces: readonly Namespace[]): { pods: Pod[]; why: string } {
  const eps = svc.endpoints;
  const pref = serviceRoutingPreference(svc, namespaces);
  if (pref === null) return { pods: [...eps], why: "no traffic distribution: every ready endpoint, equally likely" };
  const client = workloadLocality(from);
  let best = -1;
  let kept: Pod[] = [];
  for (const p of eps) {
    const r = localityRank(client, workloadLocality(p), pref.scopes);
    if (pref.mode === "strict" && r !== pref.scopes.length) continue;
    if (r > best) {
      best = r;
      kept = [];
    }
    if (r === best) kept.push(p);
  }
  return { pods: kept, why: `routing preference ${pref.scopes.join(", ")} (${pref.mode}): only the endpoints sharing the most of these with the client, no spill-over` };
}

export function explainAmbient(v: AmbientExplainView, req: HttpRequest, target: CallTarget): { lines: string[]; decision: AmbientDecision } {
  const from = v.from;
  const out: string[] = [];
  const zt = v.ztunnelOf(from);
  const key = v.deploymentKeyOf(from);
  const reason = (key !== undefined ? v.index.workloads.get(key) : undefined)?.dataplane;
  out.push(`${req.method} ${req.scheme}://${req.authority}${req.path} from pod ${from.name} (${from.namespace}), in the ambient mesh${reason?.mode === "ambient" ? ` (${reason.reason})` : " (enrolled by a Namespace label applied on the timeline)"}`);
  out.push(`1. istio-cni's rules in the pod's network namespace redirect the app's TCP connection to ${zt.name} (its node's ztunnel) on port 15001 (ztunnel's own sockets, marked 1337, are not redirected). ztunnel parses no HTTP: method, path and headers play no part in its choices.`);
  const t = target.resolved;
  if (t.kind !== "service") {
    out.push(`2. ${target.host} is not a Service of the cluster: ztunnel passes the connection through to it in plaintext (no HBONE, no policy, no waypoint).`);
    return { lines: out, decision: { path: "passthrough", waypoint: "", bindingFrom: "", candidates: [], l4: [] } };
  }
  const svc = v.registry.byFqdn.get(t.fqdn)!;
  const entry = v.index.services.get(t.fqdn);
  const b = entry?.binding ?? {};
  const where = b.from === "object" ? `istio.io/use-waypoint on Service ${svc.spec.metadata.name}` : `istio.io/use-waypoint on Namespace ${svc.spec.metadata.namespace}`;
  out.push(`2. Service ${t.fqdn} (VIP ${svc.clusterIp}:${target.port}).`);
  const wpSvc = b.waypoint !== undefined ? v.registry.byFqdn.get(b.waypoint.address) : undefined;
  if (b.waypoint !== undefined) {
    out.push(`3. Waypoint: ${b.waypoint.namespace}/${b.waypoint.name} (${where}; it takes ${b.waypoint.trafficType} traffic). ztunnel sends the connection to the waypoint's pods instead of the Service's.`);
  } else if (b.error !== undefined) {
    out.push(`3. No waypoint: ${where} names one, but the binding failed — ${b.error.reason}: ${b.error.message}. ztunnel connects to the Service's pods directly.`);
  } else {
    out.push("3. No waypoint (neither the Service nor its namespace carries istio.io/use-waypoint): ztunnel connects to the Service's pods directly; L7 routing, retries, timeouts and faults do not apply.");
  }
  const first = wpSvc ?? svc;
  const { pods, why } = connectionCandidates(from, first, v.namespaces);
  const candidates = pods.map((p) => ({ pod: p.id, hbone: b.waypoint !== undefined || p.ambient || p.hasSidecar }));
  if (pods.length === 0) {
    out.push(`4. Endpoint: ${first.fqdn} has no ready endpoint${first.endpoints.length > 0 ? " in the preferred locality" : ""}: ztunnel has nowhere to connect, the app's connection is reset (UF).`);
    return { lines: out, decision: { path: "no-endpoint", waypoint: b.waypoint?.address ?? "", bindingFrom: b.from ?? "", candidates: [], l4: [] } };
  }
  out.push(`4. Endpoint, chosen ONCE per TCP connection (weighted random, ${why}); every request on a kept connection goes to the same pod, no retries, no outlier detection:`);
  for (const p of pods) out.push(`     ${p.id} ${p.ip} on ${v.ztunnelOf(p).name}, 1/${pods.length}`);
  const hbone = candidates.filter((c) => c.hbone).length;
  out.push(hbone === candidates.length
    ? `5. HBONE: HTTP/2 CONNECT to the pod's port 15008 over mTLS (SPIFFE ${from.identity.principal} ⇒ the destination's identity), a stream of a pooled tunnel per (source, destination identity), up to 100 streams each; a new tunnel costs a TCP and TLS handshake.`
    : hbone === 0 ? "5. The destination is outside the mesh (no ztunnel or sidecar takes HBONE): plaintext TCP to the pod's port." : "5. HBONE to the endpoints in the mesh, plaintext to those outside it.");
  const port = svc.targetPort(target.port);
  let peer: Pod | null = from;
  let envoy: ExplainDecision | undefined;
  let waypointAuthz: AmbientDecision["waypointAuthz"];
  let dests: Pod[] = [...svc.endpoints];
  if (wpSvc !== undefined) {
    const wp = pods[0]!;
    const inner = v.waypointEnvoy(wp, req, target);
    envoy = inner.decision;
    out.push(`6. The waypoint's Envoy (${wp.id}) terminates HBONE on 15008 and routes the request as an Envoy (per request, not per connection):`);
    const stop = inner.lines.findIndex((l) => l.startsWith("5."));
    for (const l of inner.lines.slice(1, stop < 0 ? undefined : stop)) if (!/^[12]\. /.test(l)) out.push(`     ${l}`);
    // The same policies the run's waypoint compiles (config/ambient/waypoint-policies.ts), evaluated for this request.
    const targeted = waypointPolicies(v.config.authorizationPolicies, b.waypoint, t.fqdn);
    if (targeted.length === 0) out.push("     L7 authorization at the waypoint: no AuthorizationPolicy targets the waypoint or the Service (targetRefs).");
    else {
      const authz = compileAuthorization(targeted, { namespace: svc.spec.metadata.namespace, labels: {} });
      const d = evaluateAuthorization(authz, { method: req.method, path: req.path, host: req.authority, port: target.port, headers: req.headers, peer: from.identity, sourceIp: from.ip });
      waypointAuthz = { allowed: d.allowed, status: d.status, policy: d.policy ?? "" };
      out.push(`     L7 authorization at the waypoint (${targeted.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ")}, by targetRefs; the client's identity ${from.identity.principal} arrives with HBONE): ${d.allowed ? "allowed" : `DENIED${d.policy !== undefined ? ` by ${d.policy}` : ""} ⇒ the waypoint answers ${d.status} itself`}.`);
    }
    out.push("     Then HBONE again, from the waypoint to the chosen pod's node's ztunnel.");
    peer = wp;
    const chosen = new Set(envoy.destinations.flatMap((d) => d.endpoints));
    if (chosen.size > 0) dests = dests.filter((p) => chosen.has(p.name)).concat([...v.registry.byFqdn.values()].flatMap((s) => s.endpoints).filter((p) => chosen.has(p.name) && !dests.includes(p)));
    dests = [...new Set(dests)];
  }
  const l4: L4Verdict[] = [];
  out.push(`${wpSvc !== undefined ? 7 : 6}. The destination's ztunnel (inbound, port ${port}): mTLS is always on for HBONE (PeerAuthentication DISABLE is ignored); L4 AuthorizationPolicy, per connection, with the peer ${peer.identity.principal}:`);
  for (const p of dests.sort((a, b) => a.id.localeCompare(b.id))) {
    const mtls = p.ambient || p.hasSidecar;
    if (!p.ambient) {
      out.push(`     ${p.id}: not in the ambient mesh — ${p.hasSidecar ? "its sidecar takes the HBONE connection and applies its own policies" : "no ztunnel in front of it, plaintext"}.`);
      continue;
    }
    const verdict = l4Verdict(v.config, p, peer, mtls, port);
    l4.push(verdict);
    out.push(`     ${p.id} on ${v.ztunnelOf(p).name}: ${verdict.reason}.`);
  }
  return { lines: out, decision: { path: "ambient", waypoint: b.waypoint?.address ?? "", bindingFrom: b.from ?? "", candidates, l4, ...(envoy !== undefined ? { envoy } : {}), ...(waypointAuthz !== undefined ? { waypointAuthz } : {}) } };
}
