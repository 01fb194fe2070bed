// `meshsim explain`: the way of one request through the mesh, hop by hop, as the simulation would
// take it — iptables, listener, route table and virtual host, each route and whether it matched,
// destination and cluster, load balancer and endpoints, then the server's inbound side. Built on the
// same functions the simulation routes by, so what is explained is what runs.
import { matchRoute } from "../proxy/route/index.js";
import type { HttpRequest } from "../proxy/http-request.js";
import { destinationRuleFor, effectivePolicy } from "../proxy/destination-rule.js";
import type { ClientTLSSettings } from "../proxy/api/networking.js";
import {
  authenticateRequest, chooseClientTls, compileAuthorization, compileRequestAuthentication, connectionSecurity, effectivePeerAuthentication,
  evaluateAuthorization, mtlsForPort,
} from "../proxy/security/index.js";
import type { Pod } from "../mesh/pod.js";
import { selects } from "../mesh/pod.js";
import type { CallTarget } from "../scenario/model.js";
import { lbPolicy, virtualHost, type ProxyView } from "./proxy-view.js";
import type { Verdict } from "../proxy/interception/iptables.js";
import { CDS, LDS, RDS } from "./push-request.js";
import { LOG_EPOCH_MS } from "../telemetry/log-epoch.js";

/** Step 5: the server pod's side — TLS on the connection, PeerAuthentication, JWT and authorization. */
function inboundSide(v: ProxyView, server: Pod, drTls: ClientTLSSettings | undefined, req: HttpRequest, targetPort: number): string[] {
  // The server's policies are in the listeners istiod last pushed to the server's own sidecar.
  const cfg = v.listenerConfigOf?.(server) ?? v.config;
  const ref = { namespace: server.namespace, labels: server.labels };
  const verdict = v.inboundVerdict?.(server, targetPort);
  if (verdict !== undefined && verdict.redirectPort === 0) {
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
  const jwt = authenticateRequest(authn, req.headers, req.path, (LOG_EPOCH_MS + (v.nowMs ?? 0)) / 1000);
  if (!jwt.ok) return [...out, `   jwt_authn (${authn.policies.join(", ")}): ${jwt.body} ⇒ ${jwt.status}.`];
  const authz = compileAuthorization(cfg.authorizationPolicies, ref);
  const d = evaluateAuthorization(authz, {
    method: req.method, path: req.path, host: req.authority, port: targetPort, headers: req.headers,
    peer: conn.mtls ? v.pod.identity : undefined, sourceIp: v.pod.ip, destinationIp: server.ip,
    ...(jwt.requestPrincipal !== undefined ? { requestPrincipal: jwt.requestPrincipal } : {}),
    ...(jwt.claims !== undefined ? { requestClaims: jwt.claims } : {}),
  });
  out.push(`   authorization: ${d.allowed ? "allowed" : `DENIED ⇒ ${d.status} ${JSON.stringify(d.body)}`} (${d.reason}${d.policy ? `, ${d.policy}` : ""}).`);
  if (d.allowed) out.push(`   cluster inbound|${targetPort}||, then the app at ${server.ip}:${targetPort} from 127.0.0.6.`);
  return out;
}

export function explain(v: ProxyView, req: HttpRequest, target: CallTarget, outboundPolicy: string, iptables?: Verdict): string[] {
  const out: string[] = [];
  const pod = v.pod;
  out.push(`${req.method} ${req.scheme}://${req.authority}${req.path} from pod ${pod.name} (${pod.namespace}), config version ${v.config.version}${v.clusterConfig !== undefined && v.clusterConfig !== v.config ? ` (routes, RDS; its clusters, CDS, are at version ${v.clusterConfig.version})` : ""}`);
  const nacked = [[CDS, "CDS"], [LDS, "LDS"], [RDS, "RDS"]].filter(([bit]) => ((v.rejected ?? 0) & (bit as number)) !== 0).map(([, n]) => n);
  if (nacked.length > 0) out.push(`   This proxy NACKed the newer ${nacked.join(", ")} istiod sent it and keeps serving what it accepted before.`);
  if (!pod.hasSidecar) {
    out.push("1. No sidecar in this pod: no iptables rules, the connection goes straight to the Service's ClusterIP and kube-proxy picks a pod; no routing rules, retries or mTLS apply.");
    return out;
  }
  if (iptables !== undefined && iptables.redirectPort === 0) {
    out.push("1. iptables (nat OUTPUT) lets the app's connection pass: it BYPASSES the sidecar (a traffic.sidecar.istio.io exclusion):");
    for (const rule of iptables.trace) out.push(`     ${rule}`);
    out.push("   It goes to the ClusterIP as if there were no mesh: kube-proxy picks a pod; no routing rules, faults, retries, mTLS or client-side telemetry.");
    return out;
  }
  out.push("1. iptables (nat OUTPUT): ISTIO_OUTPUT → ISTIO_REDIRECT: the app's TCP connection (uid ≠ 1337) is redirected to 127.0.0.1:15001.");
  for (const rule of iptables?.trace ?? []) out.push(`     ${rule}`);
  out.push(`2. Listener virtualOutbound (0.0.0.0:15001) reads the original destination port ${target.port} and hands the connection to listener 0.0.0.0_${target.port} (HTTP connection manager).`);
  if (target.resolved.kind !== "service") {
    out.push(`3. ${target.host} is not a service in the mesh's registry: outboundTrafficPolicy ${outboundPolicy} ⇒ ${outboundPolicy === "ALLOW_ANY" ? "route allow_any → PassthroughCluster (the dialled address), no retries, no timeout" : "route block_all: a direct response 502"}.`);
    return out;
  }
  const fqdn = target.resolved.fqdn;
  if (v.scope !== undefined && !v.scope.hosts.has(fqdn)) {
    const mode = v.scope.outboundTrafficPolicy ?? outboundPolicy;
    out.push(`3. ${fqdn} is outside this proxy's Sidecar scope (${v.scope.sidecar}): the proxy has no cluster or route for it, so it is an unknown host; outboundTrafficPolicy ${mode} ⇒ ${mode === "ALLOW_ANY" ? "route allow_any → PassthroughCluster: plaintext to the ClusterIP, kube-proxy picks the pod; no DestinationRule, retries or mTLS" : "route block_all → BlackHoleCluster: a direct response 502"}.`);
    return out;
  }
  const vh = virtualHost(v, fqdn, target.port);
  out.push(`3. Route table "${vh.routeTable}", virtual host ${vh.virtualHost} (Host ${req.authority}); routes from ${vh.virtualService}.`);
  const chosen = matchRoute(vh.routes, req);
  for (const r of vh.routes) {
    const m = r.rule.match?.[r.matchIndex];
    const what = m === undefined ? "no match conditions (catch-all)" : JSON.stringify(m);
    if (r === chosen) {
      out.push(`   route ${r.index} "${r.name}" (rule ${r.ruleIndex}): ${what} — MATCHES: the first route that matches wins.`);
      break;
    }
    out.push(`   route ${r.index} "${r.name}" (rule ${r.ruleIndex}): ${what} — does not match.`);
  }
  if (chosen === undefined) {
    out.push("4. No route matches: 404 with flag NR (route_not_found).");
    return out;
  }
  if (chosen.action !== "route") {
    out.push(`4. The route answers itself: ${chosen.action === "redirect" ? `redirect ${chosen.redirect?.code ?? 301}` : `direct response ${chosen.directResponse?.status ?? 200}`}.`);
    return out;
  }
  if (chosen.fault) out.push(`   fault injection on this route: ${JSON.stringify(chosen.rule.fault)} (applied before the router; never retried).`);
  out.push(`   timeout: ${chosen.timeoutMs ? `${chosen.timeoutMs} ms` : "none (Istio's default)"}; retries: ${chosen.retryPolicy ? `${chosen.retryPolicy.numRetries} on ${chosen.retryPolicy.retryOn}` : "none"}.`);
  const total = chosen.destinations.reduce((s, d) => s + d.weight, 0);
  out.push("4. Destinations (each request picks one at random by weight):");
  for (const d of chosen.destinations) {
    const svc = v.registry.byFqdn.get(d.host);
    const share = total > 0 ? ((100 * d.weight) / total).toFixed(1) : "100";
    if (svc === undefined) {
      out.push(`   ${share}% → ${d.cluster}: no such service ⇒ 503 NC`);
      continue;
    }
    const dr = destinationRuleFor((v.clusterConfig ?? v.config).destinationRules, d.host, pod.namespace, pod.labels, svc.spec.metadata.namespace);
    const subset = d.subset === undefined ? undefined : dr?.spec.subsets?.find((x) => x.name === d.subset);
    if (d.subset !== undefined && subset === undefined) {
      out.push(`   ${share}% → ${d.cluster}: no DestinationRule defines subset "${d.subset}" for this proxy ⇒ no such cluster, 503 NC`);
      continue;
    }
    const labels = subset?.labels ?? {};
    const port = d.port ?? target.port;
    const eps = ((v.eds ?? v.registry.eds).byFqdn.get(svc.fqdn) ?? []).filter((p) => selects(labels, p.labels));
    const targetPort = svc.spec.ports.find((p) => p.port === port)?.targetPort ?? port;
    out.push(`   ${share}% → cluster ${d.cluster}${dr ? ` (DestinationRule ${dr.metadata.name}.${dr.metadata.namespace})` : ""}, load balancer ${lbPolicy(v, svc, d.subset, port)}`);
    out.push(`     endpoints: ${eps.length === 0 ? "none ⇒ 503 UH (no healthy upstream)" : eps.map((p) => `${p.name} ${p.ip}:${targetPort}`).join(", ")}`);
  }
  const first = chosen.destinations[0];
  const svc = first ? v.registry.byFqdn.get(first.host) : undefined;
  const firstDr = svc ? destinationRuleFor((v.clusterConfig ?? v.config).destinationRules, svc.fqdn, pod.namespace, pod.labels, svc.spec.metadata.namespace) : undefined;
  const firstLabels = firstDr?.spec.subsets?.find((x) => x.name === first?.subset)?.labels ?? {};
  const anyPod = svc?.endpoints.find((p) => selects(firstLabels, p.labels));
  if (anyPod !== undefined) {
    const targetPort = svc!.spec.ports.find((p) => p.port === (first!.port ?? target.port))?.targetPort ?? target.port;
    if (anyPod.hasSidecar) {
      out.push(...inboundSide(v, anyPod, firstDr === undefined ? undefined : effectivePolicy(firstDr, first?.subset, first?.port ?? target.port).tls, req, targetPort));
    } else {
      out.push(`5. The server pod (e.g. ${anyPod.name}) has no sidecar: the request reaches the app at ${anyPod.ip}:${targetPort} directly (plaintext).`);
    }
  }
  return out;
}
