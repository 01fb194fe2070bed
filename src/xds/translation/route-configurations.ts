// RDS: the virtual hosts and routes istiod gives one proxy. For a sidecar, one route configuration per
// outbound port ("9080"), holding a virtual host per service port in its Sidecar scope (routes from
// the VirtualService bound to the mesh for that host, else istiod's default route), per ServiceEntry
// host, and the catch-all `allow_any` (ALLOW_ANY → PassthroughCluster) or `block_all` (REGISTRY_ONLY
// → 502). For a gateway, the hosts its Gateway's servers listen for, routed only by the
// VirtualServices bound to that Gateway.
// istio/istio pilot/pkg/networking/core/httproute.go (BuildSidecarOutboundVirtualHosts,
// buildGatewayHTTPRouteConfig); https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
import type { Gateway, ServiceEntry, VirtualService } from "../../proxy/api/networking.js";
import { terminatesTls, type DownstreamTls } from "../../proxy/security/downstream-tls.js";
import type { RouteConfiguration, VirtualHost } from "../../proxy/config/virtual-host.js";
import { usesConsistentHash } from "../../proxy/destination-rule.js";
import { compileRoutes, type CompiledRoute, type CompileOptions } from "../../proxy/route/compile-routes.js";
import { defaultServiceRoutes, unknownHostRoutes } from "../../proxy/route/default-routes.js";
import { hostMatches, isWildcardHost, resolveHostName } from "../../proxy/route/host-name.js";
import { ROUTE_SEMANTICS_ANNOTATION, selectVirtualService, virtualServicesForProxy } from "../../proxy/route/virtual-service-selection.js";
import type { CallTarget } from "../../scenario/model.js";
import { outboundMode, sourceOf, type ProxyInput } from "./proxy-input.js";

/** Destinations with a consistent-hash DestinationRule get retries without previous_hosts. */
function compileOptions(p: ProxyInput): CompileOptions {
  const { namespace, labels } = p.pod;
  return {
    consistentHash: (host, subset, port) => usesConsistentHash(p.config.destinationRules, host, subset, port, namespace, labels),
    onlyPort: (host) => {
      const ports = p.registry.byFqdn.get(host)?.spec.ports;
      return ports !== undefined && ports.length === 1 ? ports[0]!.port : undefined;
    },
  };
}

/** The Host values a service's virtual host answers (istiod's generateVirtualHostDomains). */
function serviceDomains(fqdn: string, port: number, clusterIp: string | undefined): string[] {
  const [name, ns] = fqdn.split(".");
  // One literal each way: pushing the ClusterIP's two onto the eight copies the array to a larger store.
  return clusterIp === undefined
    ? [fqdn, `${fqdn}:${port}`, name!, `${name}:${port}`, `${name}.${ns}`, `${name}.${ns}:${port}`, `${name}.${ns}.svc`, `${name}.${ns}.svc:${port}`]
    : [fqdn, `${fqdn}:${port}`, name!, `${name}:${port}`, `${name}.${ns}`, `${name}.${ns}:${port}`, `${name}.${ns}.svc`, `${name}.${ns}.svc:${port}`, clusterIp, `${clusterIp}:${port}`];
}

/**
 * A mesh route generated from an HTTPRoute applies only to clients in its own namespace (a consumer
 * route) or, when it is in the Service's namespace (a producer route), to every client: "Gateway
 * allows only routes from the namespace of the proxy, or namespace of the destination" (istio/istio
 * pilot/pkg/networking/core/route/route.go buildSidecarVirtualHostsForVirtualService; the same for
 * waypoints in listener_waypoint.go getVirtualServiceForWaypoint). https://gateway-api.sigs.k8s.io/mesh/#route-types
 */
function gammaScoped(all: readonly VirtualService[], proxyNamespace: string, serviceNamespace: string | undefined): readonly VirtualService[] {
  if (serviceNamespace === undefined) return all;
  const out = all.filter((v) => v.metadata.annotations[ROUTE_SEMANTICS_ANNOTATION] !== "gateway"
    || v.metadata.namespace === proxyNamespace || v.metadata.namespace === serviceNamespace);
  return out.length === all.length ? all : out;
}

/**
 * The VirtualService that routes `host` for this proxy on `port`, with its compiled routes: the one
 * selectVirtualService picks, unless none of its routes applies to this proxy and port (every match
 * trimmed by port, sourceLabels, sourceNamespace or gateways) — istiod then builds no virtual host
 * from it (BuildHTTPRoutesForVirtualService's "no routes matched"), and the next VirtualService for
 * the host, else the default route, takes the host. istio/istio pilot/pkg/networking/core/route/route.go
 * buildSidecarVirtualHostsForVirtualService, BuildSidecarVirtualHostWrapper.
 */
function routedVirtualService(
  candidates: readonly VirtualService[], host: string, source: ReturnType<typeof sourceOf>, port: number, opts: CompileOptions,
): { vs: VirtualService; routes: CompiledRoute[] } | undefined {
  let left = candidates;
  for (;;) {
    const vs = selectVirtualService(left, host, source);
    if (vs === undefined) return undefined;
    const routes = compileRoutes(vs, source, port, opts);
    if (routes.length > 0) return { vs, routes };
    left = left.filter((v) => v !== vs);
  }
}

function routedHost(p: ProxyInput, kind: "service" | "service-entry", host: string, port: number, se: ServiceEntry | undefined, domains: string[]): VirtualHost {
  // Only the VirtualServices the Sidecar's egress hosts import, each in its own namespace (sidecar-scope.ts).
  const imported = p.scope.virtualServices;
  const candidates = kind === "service" ? gammaScoped(imported, p.pod.namespace, p.registry.byFqdn.get(host)?.spec.metadata.namespace) : imported;
  const opts = compileOptions(p);
  const chosen = routedVirtualService(candidates, host, sourceOf(p.pod), port, opts);
  const vs = chosen?.vs;
  return {
    name: `${host}:${port}`, domains, kind, service: host, serviceEntry: se, passthroughFqdn: "",
    routes: chosen !== undefined ? chosen.routes : defaultServiceRoutes(host, port, opts),
    virtualService: vs ? `${vs.metadata.name}.${vs.metadata.namespace}` : "",
    reason: kind === "service"
      ? `${host} is a service in this proxy's Sidecar scope${p.scope.sidecar ? ` (${p.scope.sidecar})` : ""}`
      : `${host} is a host of ServiceEntry ${se!.metadata.name}.${se!.metadata.namespace} (${se!.spec.location ?? "MESH_EXTERNAL"}, resolution ${se!.spec.resolution ?? "NONE"})`,
  };
}

/**
 * Whether the sidecar has an outbound HTTP listener (0.0.0.0_<port>) on `port`: some service or
 * ServiceEntry port in its Sidecar scope is on it, as routeConfigurations lists them (meshsim treats
 * every port as HTTP). istio/istio pilot/pkg/networking/core/listener.go buildSidecarOutboundListeners.
 */
function hasHttpListener(p: ProxyInput, port: number): boolean {
  for (const s of p.registry.byFqdn.values()) if (p.scope.hosts.has(s.fqdn) && s.spec.ports.some((sp) => sp.port === port)) return true;
  return p.config.serviceEntries.some((se) => (se.spec.ports ?? []).some((x) => x.number === port) && se.spec.hosts.some((h) => p.scope.hosts.has(h)));
}

/** The ports of the services and ServiceEntry hosts in the proxy's scope that a VirtualService host names. */
function registryPortsOf(p: ProxyInput, h: string): number[] {
  const out: number[] = [];
  for (const s of p.registry.byFqdn.values()) {
    if (p.scope.hosts.has(s.fqdn) && hostMatches(h, s.fqdn)) for (const sp of s.spec.ports) out.push(sp.port);
  }
  for (const se of p.config.serviceEntries) {
    if (se.spec.hosts.some((x) => p.scope.hosts.has(x) && (hostMatches(h, x) || hostMatches(x, h)))) for (const sp of se.spec.ports ?? []) out.push(sp.number);
  }
  return out;
}

/**
 * A sidecar's virtual host for a host only a VirtualService names (e.g. "bookinfo.com" routed to a
 * service): istiod writes the VirtualService's hosts that are not in the registry as domains of a
 * virtual host of its routes, on the ports of the registry services the same VirtualService names,
 * or on port 80 when it names none ("a much bigger surgery" hack); a wildcard host counts only when no
 * service on the listener's port matches it. An exact host beats a wildcard, first VirtualService in
 * istiod's order wins. istio/istio pilot/pkg/networking/core/route/route.go
 * (separateVSHostsAndServices, buildSidecarVirtualHostsForVirtualService) and httproute.go
 * (BuildSidecarOutboundVirtualHosts, selectVirtualServices: on ports other than 80 only VirtualServices
 * naming a service are kept).
 */
function virtualServiceHost(p: ProxyInput, host: string, port: number): VirtualHost | undefined {
  let best: VirtualService | undefined;
  let bestLen = -1;
  let bestRoutes: CompiledRoute[] = [];
  const opts = compileOptions(p);
  for (const vs of virtualServicesForProxy(p.scope.virtualServices, sourceOf(p.pod))) {
    // A VirtualService with no route for this proxy and port makes no virtual host (routedVirtualService).
    let routes: CompiledRoute[] | undefined;
    const routed = () => (routes ??= compileRoutes(vs, sourceOf(p.pod), port, opts)).length > 0;
    const hosts = vs.spec.hosts.map((h) => resolveHostName(h, vs.metadata.namespace).toLowerCase());
    const ports = new Set(hosts.flatMap((h) => registryPortsOf(p, h)));
    if (ports.size === 0 ? port !== 80 : !ports.has(port)) continue;
    for (const h of hosts) {
      if (!hostMatches(h, host)) continue;
      if (!isWildcardHost(h)) {
        if (!routed()) break;
        best = vs;
        bestRoutes = routes!;
        bestLen = Infinity;
        break;
      }
      // A wildcard that covers a service on this port routes that service instead (foundSvcMatch).
      if (registryPortsOf(p, h).includes(port) || h.length <= bestLen || !routed()) continue;
      best = vs;
      bestRoutes = routes!;
      bestLen = h.length;
    }
    if (bestLen === Infinity) break;
  }
  if (best === undefined) return undefined;
  return {
    name: `${host}:${port}`, domains: [host, `${host}:${port}`], kind: "virtual-service", service: host, serviceEntry: undefined, passthroughFqdn: "",
    routes: bestRoutes, virtualService: `${best.metadata.name}.${best.metadata.namespace}`,
    reason: `${host} is neither a service nor a ServiceEntry host, but VirtualService ${best.metadata.name}.${best.metadata.namespace} names it`,
  };
}

/** istiod's catch-all virtual host for hosts the proxy does not know. */
function unknownHost(p: ProxyInput, port: number, passthroughFqdn: string, why: string, listed = false): VirtualHost {
  const mode = outboundMode(p);
  const allow = mode === "ALLOW_ANY";
  // A port with no HTTP listener: the connection takes virtualOutbound's catch-all TCP chain instead.
  const catchAllTcp = !listed && !hasHttpListener(p, port);
  return {
    ...(catchAllTcp ? { catchAllTcp } : {}),
    name: allow ? "allow_any" : "block_all", domains: ["*"], kind: allow ? "allow-any" : "block-all",
    service: allow ? "PassthroughCluster" : "BlackHoleCluster", serviceEntry: undefined,
    passthroughFqdn: allow ? passthroughFqdn : "", routes: unknownHostRoutes(mode, port, sourceOf(p.pod)), virtualService: "",
    reason: `${why}: outboundTrafficPolicy ${mode}${p.scope.outboundTrafficPolicy !== undefined ? ` (Sidecar ${p.scope.sidecar})` : ""}`,
  };
}

/**
 * The ServiceEntry in the proxy's config that declares `host` on `port` (and the host it lists). Of
 * several, the one in the proxy's scope whose host Envoy's virtual-host match picks: an exact domain
 * before any wildcard, then the longest wildcard suffix (envoyproxy/envoy source/common/router/config_impl.cc
 * RouteMatcher::findVirtualHost, findWildcardVirtualHost); one outside the scope only when no other
 * matches (virtualHostFor then says the host is unknown to this proxy).
 */
export function serviceEntryFor(p: ProxyInput, host: string, port: number): { se: ServiceEntry; host: string } | undefined {
  let best: { se: ServiceEntry; host: string } | undefined;
  let bestRank = -1;
  let hidden: { se: ServiceEntry; host: string } | undefined;
  for (const se of p.config.serviceEntries) {
    if (se.spec.ports !== undefined && !se.spec.ports.some((x) => x.number === port)) continue;
    for (const h of se.spec.hosts) {
      if (!hostMatches(h, host)) continue;
      if (!p.scope.hosts.has(h)) { hidden ??= { se, host: h }; continue; }
      // Exact beats every wildcard; among wildcards, the longer suffix; ties: the first in config order.
      const rank = h.startsWith("*") ? h.length : Number.MAX_SAFE_INTEGER;
      if (rank > bestRank) { best = { se, host: h }; bestRank = rank; }
    }
  }
  return best ?? hidden;
}

/**
 * Whether a Gateway server on `serverPort` takes a request sent to `port`: the same port, or the
 * istio-ingressgateway Service's default mapping of 80 → 8080 and 443 → 8443 (the gateway's Envoy
 * listens on the container ports, which is what Istio's samples put in `servers[].port`).
 */
export function listensOn(serverPort: number, port: number): boolean {
  return serverPort === port || (port === 80 && serverPort === 8080) || (port === 443 && serverPort === 8443);
}

/**
 * A VirtualService generated from Gateway API routes whose every rule is for another listener port
 * gives this port nothing: in Istio it is bound to that listener's own Istio Gateway, whose server is
 * on the other port (route_collections.go: one VirtualService per listener and host).
 */
function routesOnPort(vs: VirtualService, port: number): boolean {
  if (vs.metadata.annotations[ROUTE_SEMANTICS_ANNOTATION] !== "gateway") return true;
  return vs.spec.http?.some((r) => r.match === undefined || r.match.length === 0 || r.match.some((m) => m.port === undefined || m.port === 0 || m.port === port)) ?? false;
}

type GatewayServer = Gateway["spec"]["servers"][number];
const serverHosts = (sv: GatewayServer) => sv.hosts.map((h) => h.slice(h.indexOf("/") + 1));

/**
 * The filter chain a gateway's listener on `port` picks for a connection to `host` (its SNI): none when
 * the port's servers are plain HTTP; else the TLS server whose hosts take the SNI (an exact host
 * before a wildcard, as Envoy's server_names match), by its `tls.mode`. HTTPS and TLS servers carry
 * TLS (istio/istio pilot/pkg/networking/core/gateway.go buildGatewayListeners); proxy/security/downstream-tls.ts.
 */
function downstreamTlsOf(gw: Gateway | undefined, host: string, port: number): DownstreamTls | undefined {
  const onPort = gw?.spec.servers.filter((sv) => listensOn(sv.port.number, port)) ?? [];
  if (onPort.length === 0) return gw === undefined ? undefined : "no-listener";
  const tls = onPort.filter((sv) => ["HTTPS", "TLS"].includes(sv.port.protocol.toUpperCase()));
  if (tls.length === 0) return "plaintext";
  const taking = tls.filter((sv) => serverHosts(sv).some((h) => hostMatches(h, host)));
  if (taking.length === 0) return "no-filter-chain";
  const best = taking.find((sv) => serverHosts(sv).includes(host)) ?? taking[0]!;
  return terminatesTls((best.tls as { mode?: string } | undefined)?.mode);
}

/**
 * The hosts a server offers to VirtualServices of `vsNamespace`: `ns/host` only to namespace ns, `./host`
 * to the Gateway's own, `*\/host` and a bare host to all (istio/istio pilot/pkg/model/gateway.go
 * sanitizeServerHostNamespace, pkg/config/host/names.go NamesForNamespace, used by
 * pilot/pkg/networking/core/gateway.go buildGatewayHTTPRouteConfig).
 */
export function serverHostsFor(sv: GatewayServer, gatewayNamespace: string, vsNamespace: string): string[] {
  const out: string[] = [];
  for (const h of sv.hosts) {
    const slash = h.indexOf("/");
    if (slash < 0) { out.push(h); continue; }
    const ns = h.slice(0, slash);
    if (ns === "*" || (ns === "." ? gatewayNamespace : ns) === vsNamespace) out.push(h.slice(slash + 1));
  }
  return out;
}

/** At a gateway: the Gateway's servers decide which hosts it listens for; only VirtualServices bound to it route. */
function gatewayHost(p: ProxyInput, host: string, port: number): VirtualHost {
  const name = p.pod.gateway!;
  const gw = p.config.gateways.find((g) => `${g.metadata.namespace}/${g.metadata.name}` === name);
  const downstreamTls = downstreamTlsOf(gw, host, port);
  const onPort = gw?.spec.servers.filter((sv) => listensOn(sv.port.number, port)) ?? [];
  const listens = onPort.some((sv) => serverHosts(sv).some((h) => hostMatches(h, host)));
  // A VirtualService routes the host only where a server offers it to the VS's namespace.
  const offered = (v: VirtualService) => onPort.some((sv) => serverHostsFor(sv, gw!.metadata.namespace, v.metadata.namespace).some((h) => hostMatches(h, host)));
  // A VirtualService with no route for this gateway and port is skipped (gateway.go: "continue" on
  // BuildHTTPRoutesForVirtualService's error), as at a sidecar.
  const chosen = listens ? routedVirtualService(p.config.virtualServices.filter((v) => routesOnPort(v, port) && offered(v)), host, sourceOf(p.pod), port, compileOptions(p)) : undefined;
  const vs = chosen?.vs;
  // tls.httpsRedirect on a plain-HTTP server: the virtual host gets require_tls ALL (with or without a
  // VirtualService), and Envoy answers every request on it 301 to https://<Host><path>
  // (gateway.go buildGatewayHTTPRouteConfig RequireTls; envoy config_impl.cc SslRedirector).
  if (listens && downstreamTls === "plaintext" && onPort.some((sv) => (sv.tls as { httpsRedirect?: unknown } | undefined)?.httpsRedirect === true && serverHosts(sv).some((h) => hostMatches(h, host)))) {
    const redirect: VirtualService = {
      kind: "VirtualService", apiVersion: "networking.istio.io/v1",
      metadata: { name: "https-redirect", namespace: gw!.metadata.namespace, labels: {}, annotations: {}, creationIndex: -1 },
      spec: { hosts: [host], gateways: [name], http: [{ redirect: { scheme: "https", redirectCode: 301 } }] },
    };
    return {
      name: `${host}:${port}`, domains: [host, `${host}:${port}`], kind: "gateway", service: "", serviceEntry: undefined, passthroughFqdn: "",
      routes: compileRoutes(redirect, sourceOf(p.pod), port, compileOptions(p)), virtualService: vs ? `${vs.metadata.name}.${vs.metadata.namespace}` : "", downstreamTls,
      reason: `Gateway ${name} listens for ${host} on port ${port} with tls.httpsRedirect: every plain-HTTP request is redirected (301) to https`,
    };
  }
  return {
    name: `${host}:${port}`, domains: [host, `${host}:${port}`], kind: "gateway", service: "", serviceEntry: undefined, passthroughFqdn: "",
    routes: chosen?.routes ?? [],
    virtualService: vs ? `${vs.metadata.name}.${vs.metadata.namespace}` : "", downstreamTls,
    reason: gw === undefined ? `Gateway ${name} is not in this proxy's config`
      : !listens ? `no server of Gateway ${name} listens for ${host} on port ${port}`
      : vs === undefined ? `Gateway ${name} listens for ${host}, but no VirtualService bound to it routes that host`
      : `Gateway ${name} listens for ${host} on port ${port}; VirtualService ${vs.metadata.name}.${vs.metadata.namespace} is bound to it`,
  };
}

/**
 * The virtual host the proxy's listener for `target.port` picks for the request's host: the one
 * decision of "which routes apply", used by the simulation and by `meshsim explain`.
 */
export function virtualHostFor(p: ProxyInput, target: CallTarget): VirtualHost {
  if (p.pod.gateway !== undefined) return gatewayHost(p, target.host, target.port);
  if (target.resolved.kind === "service") {
    const fqdn = target.resolved.fqdn;
    // Outside the Sidecar's egress hosts the service is unknown to this proxy.
    // https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy
    if (!p.scope.hosts.has(fqdn)) return unknownHost(p, target.port, fqdn, `${fqdn} is outside this proxy's Sidecar scope (${p.scope.sidecar})`);
    return routedHost(p, "service", fqdn, target.port, undefined, serviceDomains(fqdn, target.port, p.registry.byFqdn.get(fqdn)?.clusterIp));
  }
  const found = serviceEntryFor(p, target.host, target.port);
  if (found === undefined) {
    // A VirtualService makes no listener: with no service or ServiceEntry port of the scope on this
    // port, its virtual host sits in a route configuration no listener uses, and the connection takes
    // virtualOutbound's catch-all TCP chain (listener.go buildSidecarOutboundListeners lists services only).
    return (hasHttpListener(p, target.port) ? virtualServiceHost(p, target.host.toLowerCase(), target.port) : undefined)
      ?? unknownHost(p, target.port, "", `${target.host} is neither a service of the registry nor a ServiceEntry host`);
  }
  if (!p.scope.hosts.has(found.host)) return unknownHost(p, target.port, "", `ServiceEntry host ${found.host} is outside this proxy's Sidecar scope (${p.scope.sidecar})`);
  return routedHost(p, "service-entry", target.host, target.port, found.se, [target.host, `${target.host}:${target.port}`]);
}

/** Every route configuration of the proxy (what proxy-config prints and push sizing counts). */
export function routeConfigurations(p: ProxyInput): RouteConfiguration[] {
  const byPort = new Map<number, VirtualHost[]>();
  const add = (port: number, vh: VirtualHost) => {
    let l = byPort.get(port);
    if (l === undefined) byPort.set(port, (l = []));
    l.push(vh);
  };
  if (p.pod.gateway !== undefined) {
    const gw = p.config.gateways.find((g) => `${g.metadata.namespace}/${g.metadata.name}` === p.pod.gateway);
    for (const sv of gw?.spec.servers ?? []) {
      for (const h of sv.hosts) add(sv.port.number, gatewayHost(p, h.slice(h.indexOf("/") + 1), sv.port.number));
    }
  } else {
    const services = [...p.registry.byFqdn.values()].filter((s) => p.scope.hosts.has(s.fqdn));
    for (const s of services) {
      for (const sp of s.spec.ports) add(sp.port, routedHost(p, "service", s.fqdn, sp.port, undefined, serviceDomains(s.fqdn, sp.port, s.clusterIp)));
    }
    for (const se of p.config.serviceEntries) {
      for (const h of se.spec.hosts) {
        if (!p.scope.hosts.has(h)) continue;
        for (const port of se.spec.ports ?? []) add(port.number, routedHost(p, "service-entry", h, port.number, se, [h, `${h}:${port.number}`]));
      }
    }
    for (const port of byPort.keys()) add(port, unknownHost(p, port, "", "any other host", true));
  }
  return [...byPort.entries()].sort((a, b) => a[0] - b[0]).map(([port, vhs]) => ({
    name: String(port),
    virtualHosts: vhs.sort((a, b) => (a.domains[0] === "*" ? 1 : b.domains[0] === "*" ? -1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  }));
}
