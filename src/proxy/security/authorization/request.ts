// The request attributes an inbound sidecar's authorization filters see.
// Attribute list: https://istio.io/latest/docs/reference/config/security/conditions/
import type { PeerIdentity } from "../identity.js";

/** JWT claims as a validated token carries them (RequestAuthentication output). */
export type JwtClaims = Readonly<Record<string, unknown>>;

export interface AuthzRequest {
  method: string;
  /** :path, may include "?query" (RBAC's url_path matcher ignores the query). */
  path: string;
  /** :authority exactly as sent, may include ":port". */
  host: string;
  /** Destination (container) port the request arrived on. */
  port: number;
  /** Lowercase header names, one value per name. */
  headers: Readonly<Record<string, string>>;
  /**
   * The client's identity from Istio mTLS; undefined for plaintext. principals, namespaces,
   * source.principal and source.namespace read only this.
   */
  peer: PeerIdentity | undefined;
  /** Downstream (direct peer) IP: ipBlocks, source.ip. */
  sourceIp?: string;
  /** Original client IP (X-Forwarded-For / proxy protocol): remoteIpBlocks, remote.ip; defaults to sourceIp. */
  remoteIp?: string;
  /** Pod IP the request was sent to: destination.ip. */
  destinationIp?: string;
  /** SNI of the downstream TLS connection: connection.sni. */
  sni?: string;
  /** `<iss>/<sub>` of a validated JWT (request.auth.principal). */
  requestPrincipal?: string;
  /** Claims of the validated JWT (request.auth.claims[...], audiences, presenter). */
  requestClaims?: JwtClaims;
  /** Plain TCP traffic: HTTP-only attributes are unavailable (see the authorization docs). */
  tcp?: boolean;
}
