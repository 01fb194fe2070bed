// `meshsim explain`: the way of one request through the mesh, hop by hop, as the simulation takes it —
// iptables, listener, route configuration and virtual host, each route tried and why it did or did not
// match, the route's fault, timeout and retry policy, the destination cluster with its DestinationRule
// policy and endpoints, the TLS decision, then the server's inbound side. Every decision comes from
// istiod's translation (xds/translation/) and the route walk (proxy/route/route-walk.ts), the same
// functions the simulation routes by (mesh/sidecar/proxy-routing.ts), like Istio's pilot/pkg/simulation.
import type { HttpRequest } from "../proxy/http-request.js";
import type { ClientTLSSettings, TrafficPolicy } from "../proxy/api/networking.js";
import type { Cluster } from "../proxy/config/cluster.js";
import type { VirtualHost } from "../proxy/config/virtual-host.js";
import { ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS, ISTIO_DEFAULT_THRESHOLD, poolLimits, type PoolLimits } from "../proxy/pool-limits.js";
import { walkRoutes, describeMatch, redirectLocation, type RouteTry } from "../proxy/route/index.js";
import { corsAnswersPreflight, corsOriginAllowed } from "../proxy/route/cors-policy.js";
import { downstreamVerdict } from "../proxy/security/downstream-tls.js";
import {
  authenticateRequest, chooseClientTls, compileAuthorization, compileRequestAuthentication, connectionSecurity, effectivePeerAuthentication,
  evaluateAuthorization, mtlsForPort,
} from "../proxy/security/index.js";
import type { MeshConfig } from "../config/mesh-config.js";
import type { Pod } from "../mesh/kube/pod.js";
import type { ProxyXds } from "../mesh/sidecar/proxy-xds.js";
import type { CallTarget } from "../scenario/model.js";
import type { Verdict } from "../proxy/interception/iptables.js";
import { CDS, LDS, RDS } from "./push-request.js";
import { LOG_EPOCH_MS } from "../telemetry/log-epoch.js";
import { loadAssignment } from "./translation/cluster-load-assignments.js";
import type { Translator } from "./translation/translator.js";
import { inboundRetryPolicy } from "../proxy/route/retry-policy.js";
import { PASSTHROUGH_POLICY } from "./translation/clusters.js";
import { l4Verdict } from "./ztunnel-inbound-decision.js";

/** One proxy at one simulated time, as explain reads it. */
export interface ExplainView {
  readonly pod: Pod;
  /** What the proxy holds, per xDS type. */
  readonly held: ProxyXds;
  readonly translator: Translator;
  /** The config another pod's inbound listener was built from (its LDS). */
  listenerConfigOf(pod: Pod): MeshConfig;
  /** The config another pod's clusters were built from (its CDS; absent: its LDS's). */
  clusterConfigOf?(pod: Pod): MeshConfig;
  /** iptables' PREROUTING verdict in a server pod for a container port. */
  inboundVerdict(pod: Pod, targetPort: number): Verdict;
  /** Simulated time in ms (JWT exp/nbf are checked against it). */
  readonly nowMs: number;
}

/** What the walk decided, for comparison with what the simulation does (tests read it). */
export interface ExplainDecision {
  /** "sidecar-bypassed", "no-sidecar", or the virtual host's kind. */
  readonly path: string;
  readonly virtualHost: string;
  /** The route that matched ("" none). */
  readonly route: string;
  /** A local answer (404 NR, redirect, direct response, 503 NC), else 0. */
  readonly localStatus: number;
  readonly localFlags: string;
  /** Istio's destination_service. */
  readonly service: string;
  /** Per destination: its cluster name ("" when the proxy has none: NC) and endpoints. */
  readonly destinations: readonly { readonly cluster: string; readonly weight: number; readonly endpoints: readonly string[] }[];
  /** Route timeout (0: none). */
  readonly timeoutMs: number;
  readonly retries: number;
  readonly fault: boolean;
}

const EMPTY: ExplainDecision = { path: "", virtualHost: "", route: "", localStatus: 0, localFlags: "", service: "", destinations: [], timeoutMs: 0, retries: 0, fault: false };

/** Step 5: the server pod's side — TLS on the connection, PeerAuthentication, JWT and authorization. */
function inboundSide(v: ExplainView, server: Pod, drTls: ClientTLSSettings | undefined, req: HttpRequest, targetPort: number): string[] {
  // The server's policies are in the listeners istiod last pushed to the server's own sidecar.
  const cfg = v.listenerConfigOf(server);
  const ref = { namespace: server.namespace, labels: server.labels };
  const verdict = v.inboundVerdict(server, targetPort);
  if (verdict.redirectPort === 0) {
    // traffic.sidecar.istio.io/excludeInboundPorts: the server's sidecar never sees the connection.
    const tls = chooseClientTls(drTls, { endpointHasSidecar: true, serverMode: "PERMISSIVE" });
    const head = `5. iptables in the server pod (e.g. ${server.name}) lets the connection on port ${targetPort} pass to the app: no PeerAuthentication, JWT or authorization applies.`;
    const rules = verdict.trace.map((t) => `     ${t}`);
    return tls.mode === "ISTIO_MUTUAL"
      ? [head, ...rules, `   The client sidecar still originates mTLS (${tls.source}); the plaintext app cannot complete the handshake ⇒ 503 UF.`]
      : [head, ...rules, `   Plaintext (${tls.source}) reaches the app at ${server.ip}:${targetPort}.`];
  }
  const pa = mtlsForPort(effectivePeerAuthentication(cfg.peerAuthentications, ref), targetPort);
  const tls = chooseClientTls(drTls, { endpointHasSidecar: true, serverMode: pa.mode });
  const conn = connectionSecurity(true, tls.mode, true, pa.mode);
  const out = [
    `5. The client sidecar opens the connection with TLS mode ${tls.mode} (${tls.source}); the server pod (e.g. ${server.name}) enforces PeerAuthentication ${pa.mode}${pa.policy ? ` (${pa.policy}, ${pa.level} level)` : " (no policy: Istio's default)"} on port ${targetPort}.`,
    `   iptables PREROUTING → ISTIO_INBOUND → ISTIO_IN_REDIRECT → 15006, listener virtualInbound: ${conn.ok ? conn.reason : `${conn.reason} ⇒ ${conn.status === 0 ? "connection reset" : `${conn.status} ${conn.flag}`}`}.`,
  ];
  if (!conn.ok) return out;
  const authn = compileRequestAuthentication(cfg.requestAuthentications, ref);
  // JWT times are Unix seconds on the access log's calendar (as the simulation checks them).
  const jwt = authenticateRequest(authn, req.headers, req.path, (LOG_EPOCH_MS + v.nowMs) / 1000, req.method);
  if (!jwt.ok) return [...out, `   jwt_authn (${authn.policies.join(", ")}): ${jwt.body} ⇒ ${jwt.status}.`];
  const authz = compileAuthorization(cfg.authorizationPolicies, ref);
  const d = evaluateAuthorization(authz, {
    method: req.method, path: req.path, host: req.authority, port: targetPort, headers: req.headers,
    peer: conn.mtls ? v.pod.identity : undefined, sourceIp: v.pod.ip, destinationIp: server.ip,
    ...(jwt.requestPrincipal !== undefined ? { requestPrincipal: jwt.requestPrincipal } : {}),
    ...(jwt.claims !== undefined ? { requestClaims: jwt.claims } : {}),
  });
  out.push(`   authorization: ${d.allowed ? "allowed" : `DENIED ⇒ ${d.status} ${JSON.stringify(d.body)}`} (${d.reason}${d.policy ? `, ${d.policy}` : ""}).`);
  if (d.allowed) {
    out.push(`   cluster inbound|${targetPort}||, then the app at ${server.ip}:${targetPort} from 127.0.0.6.`);
    // istiod writes the service's DestinationRule pool (or the Sidecar's inbound one) on the inbound cluster too.
    const ic = v.translator.inboundClusters(server, v.clusterConfigOf?.(server) ?? cfg).find((c) => c.port === targetPort);
    if (ic !== undefined && ic.policy.connectionPool !== undefined) out.push(`   ${inboundPoolText(ic)}`);
    // istiod's default inbound route (route.go BuildDefaultHTTPInboundRoute, Istio ≥ 1.24).
    const rp = inboundRetryPolicy(ic?.grpc === true);
    out.push(rp === undefined
      ? "   inbound route: no retry policy (a gRPC port): a refused connect to the app is 503 UF at once."
      : `   inbound route: retry_on ${rp.retryOn}, ${rp.numRetries} retries: a refused connect to the app is retried after Envoy's back-off, then 503 URX,UF; a request the app already took is never retried.`);
  }
  return out;
}

/** The server side's pool: where it comes from, its circuit breakers, and what overflow does. */
function inboundPoolText(c: Cluster): string {
  const l = poolLimits(c.policy.connectionPool, c.http2);
  const from = c.poolFrom === "Sidecar" ? "the server's Sidecar, which replaces any DestinationRule's"
    : c.poolFrom === "MeshConfig" ? "MeshConfig defaultTrafficPolicy: no DestinationRule or Sidecar sets one"
    : `DestinationRule ${c.destinationRule}, applied server-side too`;
  return `inbound|${c.port}|| connection pool (from ${from}): max connections ${limit(l.maxConnections)}, max pending ${limit(l.maxPendingRequests)}, ` +
    `max requests ${limit(l.maxRequests)}${l.maxRequestsPerConnection > 0 ? `, ${l.maxRequestsPerConnection} request(s) per connection` : ""}${streamsText(l)}; ` +
    "beyond them the server's sidecar answers 503 UO (x-envoy-overloaded: the client does not retry it).";
}

const limit = (n: number): string => (n === ISTIO_DEFAULT_THRESHOLD ? "unlimited" : String(n));

/** HTTP/2's max_concurrent_streams when the pool sets one: a further request opens another connection. */
const streamsText = (l: PoolLimits): string =>
  l.http2 && l.maxConcurrentStreams !== ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS ? `, at most ${l.maxConcurrentStreams} stream(s) per HTTP/2 connection` : "";

/** A cluster's DestinationRule policy in one line: load balancer, circuit breakers, outlier detection, TLS. */
export function policySummary(c: Cluster): string {
  const p: TrafficPolicy = c.policy;
  const lb = p.loadBalancer;
  const lbText = lb?.consistentHash ? "consistent hash" : lb?.simple && lb.simple !== "UNSPECIFIED" ? lb.simple : "LEAST_REQUEST (Istio's default)";
  const l = poolLimits(p.connectionPool, c.http2);
  const parts = [`load balancer ${lbText}`,
    `circuit breakers: max connections ${limit(l.maxConnections)}, max pending ${limit(l.maxPendingRequests)}, max requests ${limit(l.maxRequests)}, max retries ${limit(l.maxRetries)}${l.maxRequestsPerConnection > 0 ? `, ${l.maxRequestsPerConnection} request(s) per connection` : ""}${streamsText(l)}; connect timeout ${l.connectTimeoutMs} ms`];
  const od = p.outlierDetection;
  if (od !== undefined) parts.push(`outlier detection: ${od.consecutive5xxErrors ?? 5} consecutive 5xx, every ${od.intervalMs ?? 10_000} ms, base ejection ${od.baseEjectionTimeMs ?? 30_000} ms, max ${od.maxEjectionPercent ?? 10}% ejected`);
  if (c.fromMeshConfig !== undefined) parts.push(`from MeshConfig defaultTrafficPolicy (no DestinationRule block of its own): ${c.fromMeshConfig.join(", ")}`);
  return parts.join("; ");
}

function tlsText(c: Cluster, endpointHasSidecar: boolean): string {
  if (c.policy === PASSTHROUGH_POLICY) return "plaintext (PassthroughCluster: no DestinationRule applies)";
  const tls = chooseClientTls(c.policy.tls, { endpointHasSidecar, serverMode: "PERMISSIVE" });
  return `TLS mode ${tls.mode} (${tls.source})`;
}

function routeLine(t: RouteTry): string {
  const r = t.route;
  const what = r.match.catchAll ? `${describeMatch(r.match)} (catch-all)` : describeMatch(r.match);
  const name = r.name === "" ? "" : ` "${r.name}"`;
  const head = `   route ${r.index}${name} (VirtualService rule ${r.ruleIndex})`;
  return t.failed === "" ? `${head}: ${what} — MATCHES: the first route that matches wins.` : `${head}: ${what} — does not match: ${t.failed}.`;
}

function vhLine(vh: VirtualHost, port: number, req: HttpRequest): string {
  const from = vh.virtualService !== "" ? `routes from VirtualService ${vh.virtualService}` : vh.kind === "allow-any" || vh.kind === "block-all" ? "istiod's catch-all route" : "routes: istiod's default route (no VirtualService)";
  return `3. Route table "${port}" (RDS), virtual host ${vh.name} (Host ${req.authority}; ${vh.reason}); ${from}.`;
}

/** Explain one request from `v.pod`: the lines to print and the decision they describe. */
export function explain(v: ExplainView, req: HttpRequest, target: CallTarget, iptables: Verdict | undefined): { lines: string[]; decision: ExplainDecision } {
  const out: string[] = [];
  const pod = v.pod;
  const x = v.held;
  out.push(`${req.method} ${req.scheme}://${req.authority}${req.path} from pod ${pod.name} (${pod.namespace}), config version ${x.rds.version}${x.cds !== x.rds ? ` (routes, RDS; its clusters, CDS, are at version ${x.cds.version})` : ""}`);
  const nacked = [[CDS, "CDS"], [LDS, "LDS"], [RDS, "RDS"]].filter(([bit]) => (x.rejected & (bit as number)) !== 0).map(([, n]) => n);
  if (nacked.length > 0) out.push(`   This proxy NACKed the newer ${nacked.join(", ")} istiod sent it and keeps serving what it accepted before.`);
  if (!pod.hasSidecar) {
    out.push("1. No sidecar in this pod: no iptables rules, the connection goes straight to the Service's ClusterIP and kube-proxy picks a pod; no routing rules, retries or mTLS apply.");
    return { lines: out, decision: { ...EMPTY, path: "no-sidecar" } };
  }
  if (iptables !== undefined && iptables.redirectPort === 0) {
    out.push("1. iptables (nat OUTPUT) lets the app's connection pass: it BYPASSES the sidecar (a traffic.sidecar.istio.io exclusion):");
    for (const rule of iptables.trace) out.push(`     ${rule}`);
    out.push("   It goes to the ClusterIP as if there were no mesh: kube-proxy picks a pod; no routing rules, faults, retries, mTLS or client-side telemetry.");
    return { lines: out, decision: { ...EMPTY, path: "sidecar-bypassed" } };
  }
  if (pod.gateway === undefined) {
    out.push("1. iptables (nat OUTPUT): ISTIO_OUTPUT → ISTIO_REDIRECT: the app's TCP connection (uid ≠ 1337) is redirected to 127.0.0.1:15001.");
    for (const rule of iptables?.trace ?? []) out.push(`     ${rule}`);
    const unknown = v.translator.virtualHost(pod, x.rds, target);
    if (unknown.catchAllTcp === true) {
      // No 0.0.0.0_<port> listener: virtualOutbound's catch-all TCP chain (listener_builder.go buildOutboundCatchAllNetworkFiltersOnly).
      const blocked = unknown.kind === "block-all";
      out.push(`2. Listener virtualOutbound (0.0.0.0:15001): no listener for port ${target.port} (no service or ServiceEntry port of this proxy's scope is on it), so its catch-all TCP filter chain takes the connection: tcp_proxy to ${blocked ? "BlackHoleCluster (outboundTrafficPolicy REGISTRY_ONLY)" : "PassthroughCluster (ALLOW_ANY)"}, no HTTP routing.`);
      if (blocked) {
        out.push("3. BlackHoleCluster has no endpoint: tcp_proxy closes the connection at once (flag UH). The app gets no HTTP response (no 502: that is the block_all route of ports with an HTTP listener).");
        return { lines: out, decision: { ...EMPTY, path: "block-all", virtualHost: "", service: "BlackHoleCluster", localStatus: 0, localFlags: "UH" } };
      }
      if (unknown.passthroughFqdn === "") {
        // mesh/sidecar/passthrough-connection.ts: tcp_proxy only, counted by the stats network filter.
        out.push("3. PassthroughCluster (ORIGINAL_DST) connects to the address the app dialled: no HTTP route, retry, timeout or fault applies. The sidecar reports the connection in istio_tcp_* (destination_service_name=\"PassthroughCluster\", destination_service=\"unknown\"), not in istio_requests_total.");
        return { lines: out, decision: { ...EMPTY, path: "passthrough-tcp", service: "PassthroughCluster", localFlags: "-", destinations: [{ cluster: "PassthroughCluster", weight: 100, endpoints: [] }] } };
      }
      // A Service outside the Sidecar scope: tcp_proxy to its ClusterIP (sidecar-path.ts passthroughTcp).
      const svc = v.translator.input(pod, x.cds).registry.byFqdn.get(unknown.passthroughFqdn);
      const eps = svc?.endpoints.map((p) => p.name) ?? [];
      out.push(`3. PassthroughCluster (ORIGINAL_DST) connects to ${unknown.passthroughFqdn}'s ClusterIP${svc !== undefined ? ` ${svc.clusterIp}:${target.port}` : ""}, plaintext (no mTLS, no DestinationRule, no HTTP route, retry, timeout or fault); kube-proxy on the node picks one of: ${eps.length === 0 ? "none (connection refused: flag UF, no HTTP answer)" : eps.join(", ")}. A STRICT PeerAuthentication there closes the connection (no plaintext filter chain). The sidecar reports the connection in istio_tcp_* (destination_service_name="PassthroughCluster"); the server's sidecar, with no peer metadata, reports the request from source "unknown".`);
      return { lines: out, decision: { ...EMPTY, path: "passthrough-tcp", service: "PassthroughCluster", localFlags: "-", destinations: [{ cluster: "PassthroughCluster", weight: 100, endpoints: eps }] } };
    } else out.push(`2. Listener virtualOutbound (0.0.0.0:15001) reads the original destination port ${target.port} and hands the connection to listener 0.0.0.0_${target.port} (HTTP connection manager, routes from RDS "${target.port}").`);
  } else {
    out.push(`1. ${pod.name} is the ingress gateway of ${pod.gateway}: its Envoy takes the connection itself (no iptables).`);
    // The listener's filter chain decides the connection before HTTP (downstream-tls.ts).
    const tls = v.translator.virtualHost(pod, x.rds, target).downstreamTls;
    const verdict = downstreamVerdict(tls, req.scheme);
    if (verdict.kind === "closed") {
      out.push(`2. Listener 0.0.0.0_${target.port}: ${verdict.why}. The client gets no HTTP response (connection closed${verdict.flags !== "-" ? `, flag ${verdict.flags}` : ""}).`);
      return { lines: out, decision: { ...EMPTY, path: "gateway", localStatus: 0, localFlags: verdict.flags } };
    }
    const terminated = verdict.kind === "handshake" ? ", a filter chain that terminates TLS for this SNI (a new connection pays one handshake)" : "";
    out.push(`2. Listener 0.0.0.0_${target.port}${terminated} (HTTP connection manager, routes from RDS "${target.port}").`);
  }
  const vh = v.translator.virtualHost(pod, x.rds, target);
  out.push(vhLine(vh, target.port, req));
  const trace: RouteTry[] = [];
  const chosen = walkRoutes(vh.routes, req, trace);
  for (const t of trace) out.push(routeLine(t));
  const service = vh.kind === "gateway" ? "unknown" : vh.service;
  const base = { ...EMPTY, path: vh.kind, virtualHost: vh.name, service };
  if (chosen === undefined) {
    out.push(vh.routes.length === 0 ? "4. The virtual host has no routes: 404 with flag NR (route_not_found)." : "4. No route matches: 404 with flag NR (route_not_found).");
    return { lines: out, decision: { ...base, localStatus: 404, localFlags: "NR" } };
  }
  if (chosen.cors !== undefined && corsAnswersPreflight(chosen.cors, req)) {
    out.push(`4. The route's CORS policy answers this preflight itself (OPTIONS with Origin and Access-Control-Request-Method): 200${corsOriginAllowed(chosen.cors, req.headers["origin"] ?? "") ? " with the access-control-allow-* headers" : ", without access-control-allow-origin (origin not allowed; unmatchedPreflights IGNORE)"}.`);
    return { lines: out, decision: { ...base, route: chosen.name, localStatus: 200, localFlags: "-" } };
  }
  if (chosen.action !== "route") {
    const status = chosen.action === "redirect" ? chosen.redirect?.code ?? 301 : chosen.directResponse?.status ?? 200;
    const why = vh.kind === "block-all" ? " (block_all: the host is unknown and outbound traffic is REGISTRY_ONLY; Istio reports it as BlackHoleCluster)" : "";
    const location = chosen.action === "redirect" && chosen.redirect !== undefined ? `, location: ${redirectLocation(chosen.redirect, req)}` : "";
    out.push(`4. The route answers itself: ${chosen.action === "redirect" ? "redirect" : "direct response"} ${status}${location}${why}.`);
    return { lines: out, decision: { ...base, route: chosen.name, localStatus: status, localFlags: "-" } };
  }
  const timeoutMs = chosen.timeoutMs ?? 0;
  const rp = chosen.retryPolicy;
  if (chosen.fault && vh.kind !== "service-entry") out.push(`   fault injection on this route: ${JSON.stringify(chosen.rule.fault)} (the fault filter runs before the router; an injected delay does not count against the route timeout, an abort is never retried).`);
  // meshsim sends a request to a host outside the cluster once: no fault filter, no retries (docs/inspect.md#meshsim-explain, docs/model.md#injection-and-budgets).
  const outside = vh.kind === "service-entry";
  const retryText = rp ? `${rp.numRetries} on ${rp.retryOn}${rp.perTryTimeoutMs !== undefined ? `, per try ${rp.perTryTimeoutMs} ms` : ""}, back-off base ${rp.backoffBaseMs} ms` : "none";
  out.push(`   timeout: ${timeoutMs > 0 ? `${timeoutMs} ms (504 UT when it runs out)` : "none (Istio's default: 0s)"}; retries: ${outside && rp ? `the route has ${retryText}, but meshsim does not retry toward hosts outside the cluster (a modelling limit)` : retryText}.`);
  // At a gateway Istio's destination_service is the route destination's host.
  const decided = { ...base, service: vh.kind === "gateway" ? chosen.destinations[0]?.host ?? service : service, route: chosen.name, timeoutMs, retries: outside ? 0 : rp?.numRetries ?? 0, fault: !outside && chosen.fault !== undefined };
  if (vh.kind === "service-entry") {
    const c = v.translator.serviceEntryCluster(pod, x.rds, vh.serviceEntry!, target.host, target.port);
    const eps = loadAssignment(c, x.eds).endpoints;
    out.push(`4. Cluster ${c.name} (${c.type}${c.destinationRule ? `, DestinationRule ${c.destinationRule}` : ""}): ${policySummary(c)}.`);
    const tls = c.policy.tls !== undefined ? `TLS mode ${c.policy.tls.mode} (DestinationRule)` : "auto mTLS only toward MESH_INTERNAL endpoints labelled security.istio.io/tlsMode: istio, plaintext otherwise";
    out.push(`     endpoints: ${eps.length === 0 ? `the host itself (${target.host}), one endpoint` : eps.map((e) => `${e.address}:${e.port} weight ${e.weight}`).join(", ")}; ${tls}.`);
    return { lines: out, decision: { ...decided, destinations: [{ cluster: c.name, weight: 100, endpoints: eps.map((e) => e.address) }] } };
  }
  if (vh.kind === "allow-any") {
    if (vh.passthroughFqdn === "") {
      out.push(`4. PassthroughCluster: the connection goes to the address the app dialled (${target.host}:${target.port}), plaintext, no DestinationRule.`);
      return { lines: out, decision: { ...decided, destinations: [{ cluster: "PassthroughCluster", weight: 100, endpoints: [target.host] }] } };
    }
    const svc = v.translator.input(pod, x.cds).registry.byFqdn.get(vh.passthroughFqdn);
    const eps = svc?.endpoints.map((p) => p.name) ?? [];
    out.push(`4. PassthroughCluster to ${vh.passthroughFqdn}'s ClusterIP: plaintext, no DestinationRule, retries or mTLS; kube-proxy picks one of: ${eps.length === 0 ? "none (connection refused ⇒ 503 UF)" : eps.join(", ")}.`);
    return { lines: out, decision: { ...decided, destinations: [{ cluster: "PassthroughCluster", weight: 100, endpoints: eps }] } };
  }
  const total = chosen.destinations.reduce((s, d) => s + d.weight, 0);
  out.push(chosen.destinations.length > 1 ? "4. Destinations (each request picks one at random by weight):" : "4. Destination:");
  const dests: { cluster: string; weight: number; endpoints: string[] }[] = [];
  let first: { c: Cluster; server: Pod | undefined } | undefined;
  for (const d of chosen.destinations) {
    const share = total > 0 ? ((100 * d.weight) / total).toFixed(1) : "100";
    const c = v.translator.cluster(pod, x.cds, d);
    if (c === undefined) {
      const svc = v.translator.input(pod, x.cds).registry.byFqdn.get(d.host);
      const why = svc === undefined ? "no such service" : d.subset !== undefined ? `no DestinationRule defines subset "${d.subset}" for this proxy` : "the service is outside this proxy's Sidecar scope";
      out.push(`   ${share}% → ${d.cluster}: ${why} ⇒ the proxy has no such cluster, 503 NC`);
      dests.push({ cluster: "", weight: d.weight, endpoints: [] });
      continue;
    }
    const eps = loadAssignment(c, x.eds).endpoints;
    out.push(`   ${share}% → cluster ${c.name}${c.destinationRule ? ` (DestinationRule ${c.destinationRule})` : ""}: ${policySummary(c)}`);
    out.push(`     endpoints: ${eps.length === 0 ? "none ⇒ 503 UH (no healthy upstream)" : eps.map((e) => `${e.pod} ${e.address}:${e.port}`).join(", ")}`);
    dests.push({ cluster: c.name, weight: d.weight, endpoints: eps.map((e) => e.pod) });
    if (first === undefined) {
      const svc = v.translator.input(pod, x.cds).registry.byFqdn.get(c.host);
      first = { c, server: svc?.endpoints.find((p) => eps.some((e) => e.pod === p.name)) ?? undefined };
    }
  }
  if (first !== undefined && first.server !== undefined) {
    const server = first.server;
    if (server.ambient) {
      // A sidecar client reaches an ambient pod over HBONE; its node's ztunnel decides (xds/ambient-explain.ts).
      const verdict = l4Verdict(v.listenerConfigOf(server), server, pod, true, first.c.targetPort);
      out.push(`5. The server pod (e.g. ${server.name}) is in the ambient mesh: the sidecar speaks HBONE (mTLS to port 15008) to its node's ztunnel, which applies L4 AuthorizationPolicy: ${verdict.reason}. A waypoint of the Service is bypassed by sidecar clients.`);
    } else if (server.hasSidecar) out.push(...inboundSide(v, server, first.c.policy.tls, req, first.c.targetPort));
    else out.push(`5. The server pod (e.g. ${server.name}) has no sidecar: ${tlsText(first.c, false)}; the request reaches the app at ${server.ip}:${first.c.targetPort} directly.`);
  }
  return { lines: out, decision: { ...decided, destinations: dests } };
}
