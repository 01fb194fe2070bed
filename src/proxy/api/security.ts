// Istio security API (security.istio.io v1beta1/v1) as plain data:
// https://istio.io/latest/docs/reference/config/security/
import type { IstioResource } from "./networking.js";

export type MtlsMode = "UNSET" | "DISABLE" | "PERMISSIVE" | "STRICT";

export interface PeerAuthenticationSpec {
  selector?: { matchLabels: Record<string, string> };
  mtls?: { mode: MtlsMode };
  /** Keyed by the workload's container (target) port. */
  portLevelMtls?: Record<string, { mode: MtlsMode }>;
}

export interface AuthzSource {
  principals?: string[];
  notPrincipals?: string[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  ipBlocks?: string[];
  notIpBlocks?: string[];
  remoteIpBlocks?: string[];
  notRemoteIpBlocks?: string[];
  /** `<sa>` (the policy's namespace) or `<ns>/<sa>`, any trust domain; needs an mTLS peer. */
  serviceAccounts?: string[];
  notServiceAccounts?: string[];
  /** Trust domain of the mTLS peer's SPIFFE ID: exact, `x*`, `*x` or `*`. */
  trustDomains?: string[];
  notTrustDomains?: string[];
}

export interface AuthzOperation {
  hosts?: string[];
  notHosts?: string[];
  ports?: string[];
  notPorts?: string[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

export interface AuthzCondition {
  key: string;
  values?: string[];
  notValues?: string[];
}

export interface AuthzRule {
  from?: { source: AuthzSource }[];
  to?: { operation: AuthzOperation }[];
  when?: AuthzCondition[];
}

/** A policy's target (Gateway API PolicyTargetReference): a waypoint or gateway `Gateway`, or a `Service`. */
export interface PolicyTargetRef {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface AuthorizationPolicySpec {
  selector?: { matchLabels: Record<string, string> };
  /** Applies to these targets only, never by selector (ambient waypoints; gateways are not simulated). */
  targetRefs?: PolicyTargetRef[];
  action?: "ALLOW" | "DENY" | "AUDIT" | "CUSTOM";
  provider?: { name: string };
  rules?: AuthzRule[];
}

export interface JWTRule {
  issuer: string;
  audiences?: string[];
  jwksUri?: string;
  /** The key set inline, a JSON string (Istio's field; it wins over jwksUri). */
  jwks?: string;
  /**
   * meshsim: what `jwksUri` serves, filled in by the loader from the Simulation's `network.jwks`
   * (istiod fetches the URI and inlines the key set into the proxy's config).
   */
  fetchedJwks?: string;
  fromHeaders?: { name: string; prefix?: string }[];
  /** Query parameters the token may come in. */
  fromParams?: string[];
  /** Cookies the token may come in. */
  fromCookies?: string[];
  forwardOriginalToken?: boolean;
  /** Claims split at spaces into lists for authorization, besides `scope` and `permission`. */
  spaceDelimitedClaims?: string[];
}

export interface RequestAuthenticationSpec {
  selector?: { matchLabels: Record<string, string> };
  /** Validated by these targets only, never by selector (ambient waypoints). */
  targetRefs?: PolicyTargetRef[];
  jwtRules?: JWTRule[];
}

export type PeerAuthentication = IstioResource<"PeerAuthentication", PeerAuthenticationSpec>;
export type AuthorizationPolicy = IstioResource<"AuthorizationPolicy", AuthorizationPolicySpec>;
export type RequestAuthentication = IstioResource<"RequestAuthentication", RequestAuthenticationSpec>;
