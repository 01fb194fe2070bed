// Workload identity: the SPIFFE ID in an Istio workload certificate and the "principal" spelling
// (the ID without "spiffe://") that AuthorizationPolicy `principals` and `source.principal` use.
// https://istio.io/latest/docs/concepts/security/#istio-identity
// https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source

export const DEFAULT_TRUST_DOMAIN = "cluster.local";
export const SPIFFE_SCHEME = "spiffe://";

/** `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`. */
export function spiffeId(namespace: string, serviceAccount: string, trustDomain: string = DEFAULT_TRUST_DOMAIN): string {
  return `${SPIFFE_SCHEME}${principalName(namespace, serviceAccount, trustDomain)}`;
}

/** `<trust-domain>/ns/<namespace>/sa/<service-account>`: the form AuthorizationPolicy matches. */
export function principalName(namespace: string, serviceAccount: string, trustDomain: string = DEFAULT_TRUST_DOMAIN): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The peer identity a server sidecar learns from an Istio mTLS handshake (absent for plaintext). */
export interface PeerIdentity {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** `<trust-domain>/ns/<namespace>/sa/<service-account>`. */
  readonly principal: string;
}

/** Build once per client workload; requests then carry the same object (no per-request allocation). */
export function peerIdentity(namespace: string, serviceAccount: string, trustDomain: string = DEFAULT_TRUST_DOMAIN): PeerIdentity {
  return Object.freeze({ trustDomain, namespace, serviceAccount, principal: principalName(namespace, serviceAccount, trustDomain) });
}

/**
 * Parse a principal (with or without "spiffe://") of the Kubernetes form; undefined for other shapes.
 * Istio reads `source.namespace` out of the principal the same way (regex `.* /ns/<ns>/.*`).
 */
export function parsePrincipal(principal: string): PeerIdentity | undefined {
  const p = principal.startsWith(SPIFFE_SCHEME) ? principal.slice(SPIFFE_SCHEME.length) : principal;
  const m = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(p);
  if (m === null) return undefined;
  return peerIdentity(m[2] as string, m[3] as string, m[1] as string);
}
