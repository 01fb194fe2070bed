// Which xDS types a push request sends one proxy, as istiod decides it: the proxy's Sidecar scope now
// and at its last push (PrevSidecarScope) against the changed hosts, Sidecars and security policies'
// namespaces, and the skip lists of each generator (a gateway depends on config a sidecar does not).
// https://github.com/istio/istio/blob/master/pilot/pkg/xds/proxy_dependencies.go (DefaultProxyNeedsPush,
// checkProxyDependencies, proxyDependentOnConfig); pilot/pkg/model/sidecar.go (DependsOnConfig);
// pilot/pkg/xds/cds.go, eds.go, lds.go, rds.go (skipped config kinds)
import type { SecurityKindName } from "../config/config-diff.js";
import type { SidecarScope } from "../config/sidecar-scope.js";
import { DEFAULT_ROOT_NAMESPACE as ROOT_NAMESPACE } from "../proxy/security/policy-scope.js";
import { hostMatches, isWildcardHost } from "../proxy/route/host-name.js";
import type { Pod } from "../mesh/kube/pod.js";
import { CDS, EDS, LDS, RDS, TYPES_FOR_KIND, type PushRequest } from "./push-request.js";

/** The xDS types `req` sends `pod`, whose scope is `now` and was `before` at its last push (0: none). */
export function pushTypes(pod: Pod, now: SidecarScope, before: SidecarScope, req: PushRequest): number {
  let types = 0;
  for (const fqdn of req.endpoints) {
    if (now.hosts.has(fqdn)) {
      types |= EDS;
      break;
    }
  }
  if (!req.full) return types;
  const gateway = pod.gateway !== undefined;
  for (const kind of req.kinds) {
    const t = TYPES_FOR_KIND[kind];
    if ((types | t) === types) continue;
    switch (kind) {
      case "VirtualService":
      case "DestinationRule":
      case "ServiceEntry":
        // Pushed only to proxies whose scope holds one of the changed hosts (SidecarScope.DependsOnConfig);
        // a gateway depends on every VirtualService and DestinationRule, whatever hosts they name
        // (proxyDependentOnConfig checks only ServiceEntry by host for a Router).
        if ((gateway && kind !== "ServiceEntry") || req.hosts === null || touches(req.hosts, now) || touches(req.hosts, before)) types |= t;
        break;
      case "Sidecar":
        // A sidecar depends on the Sidecar its scope is built from, now or at its last push
        // (SidecarScope.DependsOnConfig: the scope's own Sidecar is among its configDependencies;
        // proxyDependentOnConfig also asks PrevSidecarScope); gateways never (UnAffectedConfigKinds).
        if (!gateway && (req.sidecars.has(now.sidecar) || req.sidecars.has(before.sidecar))) types |= t;
        break;
      case "Gateway":
        // Sidecars never depend on Gateways (UnAffectedConfigKinds); a gateway's clusters, listeners
        // and routes do (cds.go pushCdsGatewayConfig; eds.go skips Gateway).
        if (gateway) types |= CDS | LDS | RDS;
        break;
      case "AuthorizationPolicy":
      case "RequestAuthentication":
        // Namespace-wide kinds: a sidecar depends on those of its own and the root namespace
        // (SidecarScope.DependsOnConfig, clusterScopedKnownConfigTypes); a gateway on all of them
        // (proxyDependentOnConfig). Either way only its listeners change (cds/eds/rds.go skip lists).
        if (gateway || securityIn(req, kind, (ns) => ns === pod.namespace || ns === ROOT_NAMESPACE)) types |= LDS;
        break;
      case "PeerAuthentication": {
        // A sidecar depends on the PeerAuthentications of its own, the root and its services'
        // namespaces (SidecarScope.selectAuthnPolicies), a gateway on all; clusters (auto mTLS) and
        // endpoints change for them, listeners only for a policy of its own or the root namespace
        // (ldsNeedsPush).
        const own = (ns: string) => ns === pod.namespace || ns === ROOT_NAMESPACE;
        if (gateway || securityIn(req, kind, (ns) => own(ns) || now.namespaces.has(ns) || before.namespaces.has(ns))) types |= CDS | EDS;
        if (securityIn(req, kind, own)) types |= LDS;
        break;
      }
      default:
        if (!gateway) types |= t;
    }
  }
  return types;
}

/** Is one of the changed resources of a security kind in a namespace `dependsOn` accepts? */
function securityIn(req: PushRequest, kind: SecurityKindName, dependsOn: (ns: string) => boolean): boolean {
  const nss = req.securityNamespaces.get(kind);
  if (nss === undefined) return false;
  for (const ns of nss) if (dependsOn(ns)) return true;
  return false;
}

/** Does a set of changed hosts (FQDNs or wildcards) touch a scope? */
function touches(hosts: ReadonlySet<string>, scope: SidecarScope): boolean {
  for (const h of hosts) {
    if (!isWildcardHost(h)) {
      if (scope.hosts.has(h)) return true;
    } else {
      for (const s of scope.hosts) if (hostMatches(h, s)) return true;
    }
  }
  return false;
}
