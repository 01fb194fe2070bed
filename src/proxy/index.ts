// meshsim's pure data plane, as a library: what an Envoy sidecar decides under Istio config — no
// clock, no event loop. Each name below is documented in docs/library-api.md; the simulation uses
// these same functions. Values are listed one by one (nothing internal leaks through a wildcard);
// each module's types come along with `export type *`, since a type costs nothing at run time and
// the functions' signatures need them.

// Istio's API objects (networking.istio.io, security.istio.io) as plain data.
export type * from "./api/networking.js";
export type * from "./api/security.js";

// An HTTP request as a proxy sees it, and Envoy's response flags.
export type * from "./http-request.js";
export type * from "./response-flags.js";
export { RESPONSE_FLAG_DESCRIPTIONS, RESPONSE_FLAG_LONG_NAMES, formatResponseFlags, parseResponseFlags } from "./response-flags.js";

// Routing: VirtualService selection and matching, weighted destinations, faults, retries, mirrors.
export type * from "./route/compile-routes.js";
export { DEFAULT_SIDECAR, compileHttpRoutes, compileRoutes, matchHttpRoutes, matchRoute } from "./route/compile-routes.js";
export { RouteCompileError } from "./route/re2.js";
export type * from "./route/virtual-service-selection.js";
export { MESH_GATEWAY, selectVirtualService } from "./route/virtual-service-selection.js";
export { defaultServiceRoutes } from "./route/default-routes.js";
export type * from "./route/destination.js";
export type * from "./route/weighted-destination.js";
export { pickDestination } from "./route/weighted-destination.js";
export type * from "./route/fault-injection.js";
export { compileFault, decideFault } from "./route/fault-injection.js";
export type * from "./route/retry-policy.js";
export {
  OUTCOME_CONNECT_FAILURE, OUTCOME_FAULT_ABORT, OUTCOME_OVERFLOW, OUTCOME_PER_TRY_TIMEOUT, OUTCOME_REFUSED_STREAM, OUTCOME_RESET,
  OUTCOME_RESET_BEFORE_REQUEST, OUTCOME_ROUTE_TIMEOUT, DEFAULT_BACKOFF_BASE_MS, ISTIO_DEFAULT_RETRY_ON, retryPolicyFor, shouldRetry,
} from "./route/retry-policy.js";
export { backoffMs } from "./route/backoff.js";
export type * from "./route/mirror.js";
export type * from "./route/route-match.js";
export type * from "./route/header-operations.js";
export type * from "./route/redirect.js";
export type * from "./route/rewrite.js";
export type * from "./route/direct-response.js";
export type * from "./route/istio-compat.js";
export { mirrorSelected } from "./route/mirror.js";
export type * from "./route/route-walk.js";
export { walkRoutes } from "./route/route-walk.js";
export { DEFAULT_DOMAIN_SUFFIX, hostMatches, resolveHostName } from "./route/host-name.js";

// Load balancing (Envoy's policies behind one interface) and the DestinationRule that picks them.
export type * from "./lb/load-balancer.js";
export type * from "./lb/host.js";
export type * from "./lb/priority-load.js";
export type * from "./lb/locality.js";
export { HostSet } from "./lb/host-set.js";
export { createLoadBalancer } from "./lb/create-load-balancer.js";
export { selectSubsetHosts } from "./lb/index.js";
export type * from "./destination-rule.js";
export { destinationRuleFor, effectivePolicy, subsetLabels } from "./destination-rule.js";

// Connection pools with Envoy's circuit breakers, and the outlier detector.
export type * from "./pool-limits.js";
export { poolLimits } from "./pool-limits.js";
export type * from "./upstream-pool.js";
export { ATTACHED, OVERFLOW, PENDING, UpstreamPool } from "./upstream-pool.js";
export type * from "./outlier-detector.js";
export { OutlierDetector, istioOutlierConfig } from "./outlier-detector.js";

// Security: PeerAuthentication and the connection it gives, RequestAuthentication (JWT), AuthorizationPolicy.
export type * from "./security/peer-authentication.js";
export { effectivePeerAuthentication, mtlsForPort } from "./security/peer-authentication.js";
export type * from "./security/connection-security.js";
export { connectionSecurity } from "./security/connection-security.js";
export type * from "./security/client-tls.js";
export { chooseClientTls } from "./security/client-tls.js";
export type * from "./security/authorization/authorization.js";
export { compileAuthorization, evaluateAuthorization } from "./security/authorization/authorization.js";
export type * from "./security/authorization/request.js";
export type * from "./security/authorization/ip-block.js";
export type * from "./security/request-authentication.js";
export { authenticateRequest, compileRequestAuthentication } from "./security/request-authentication.js";
export type * from "./security/test-jwt.js";
export { decodeTestJwt, encodeTestJwt } from "./security/test-jwt.js";
export type * from "./security/identity.js";
export { parsePrincipal, peerIdentity, spiffeId } from "./security/identity.js";
export type * from "./security/policy-scope.js";
export { DEFAULT_ROOT_NAMESPACE, policyAppliesTo } from "./security/policy-scope.js";

// Traffic capture: the iptables rules istio-init writes, and the classifier that walks them.
export type * from "./interception/iptables.js";
export { buildChains, classify, iptablesSave } from "./interception/iptables.js";

// What a proxy holds, as istiod's translation (xds/translation/) produces it, in Envoy's shapes.
export type * from "./config/virtual-host.js";
export type * from "./config/cluster.js";
export type * from "./config/cluster-load-assignment.js";
export type * from "./config/listener.js";
