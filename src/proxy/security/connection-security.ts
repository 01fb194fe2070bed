// What happens when a client's TLS choice meets the server's inbound listener, per connection.
// Sources, row by row, in the comments of connectionSecurity(); see also semantics.md §5/§6.
import type { ResponseFlag } from "../response-flags.js";
import type { ClientTlsMode } from "./client-tls.js";
import type { EffectiveMtlsMode } from "./peer-authentication.js";

export type ConnectionKind =
  /** Istio mTLS: the server sidecar knows the client's principal. */
  | "mtls"
  /** Plaintext accepted. */
  | "plaintext"
  /** TLS originated with user certificates (SIMPLE/MUTUAL) to a server that terminates TLS itself. */
  | "tls"
  /** A client without sidecar sees its TCP connection reset (curl `000`, exit 56). */
  | "reset"
  /** A client sidecar sees the upstream close the connection: 503 UC. */
  | "upstream-reset"
  /** A client sidecar's TLS handshake fails: 503 UF. */
  | "handshake-failure";

export interface ConnectionOutcome {
  readonly kind: ConnectionKind;
  readonly ok: boolean;
  /** Istio mTLS established (the request carries the client's principal to authorization). */
  readonly mtls: boolean;
  /** Bytes on the wire are encrypted. */
  readonly encrypted: boolean;
  /** Status the client observes on failure: 503 from its sidecar, 0 (no HTTP response) for a reset. 0 when ok. */
  readonly status: number;
  /** Client-sidecar response flag on failure. */
  readonly flag: ResponseFlag | undefined;
  /** Client-sidecar local reply body on failure ("" otherwise). */
  readonly body: string;
  /**
   * Flag in the server sidecar's access log: a plaintext connection to a STRICT listener matches no
   * filter chain and is closed; Istio logs such listener-level events with NR.
   */
  readonly serverFlag: ResponseFlag | undefined;
  /** Envoy's reset reason, which the router's retry policy keys on (connect-failure vs reset). */
  readonly resetReason: "connection failure" | "connection termination" | undefined;
  readonly reason: string;
}

function outcome(o: ConnectionOutcome): ConnectionOutcome {
  return Object.freeze(o);
}

const UPSTREAM_PREFIX = "upstream connect error or disconnect/reset before headers. ";

export const CONNECTION_MTLS = outcome({
  kind: "mtls", ok: true, mtls: true, encrypted: true, status: 0, flag: undefined, body: "", serverFlag: undefined,
  resetReason: undefined, reason: "Istio mTLS between sidecars",
});
export const CONNECTION_PLAINTEXT = outcome({
  kind: "plaintext", ok: true, mtls: false, encrypted: false, status: 0, flag: undefined, body: "", serverFlag: undefined,
  resetReason: undefined, reason: "plaintext accepted",
});
export const CONNECTION_TLS = outcome({
  kind: "tls", ok: true, mtls: false, encrypted: true, status: 0, flag: undefined, body: "", serverFlag: undefined,
  resetReason: undefined, reason: "TLS originated by the client sidecar, terminated by the destination itself",
});
export const CONNECTION_RESET = outcome({
  kind: "reset", ok: false, mtls: false, encrypted: false, status: 0, flag: undefined, body: "", serverFlag: "NR",
  resetReason: undefined, reason: "plaintext from a client without sidecar to a STRICT server: the server sidecar resets the connection",
});
export const CONNECTION_UPSTREAM_RESET = outcome({
  kind: "upstream-reset", ok: false, mtls: false, encrypted: false, status: 503, flag: "UC",
  body: `${UPSTREAM_PREFIX}reset reason: connection termination`, serverFlag: "NR", resetReason: "connection termination",
  reason: "the client sidecar sends plaintext to a STRICT server, which closes the connection",
});
export const CONNECTION_HANDSHAKE_FAILURE = outcome({
  kind: "handshake-failure", ok: false, mtls: false, encrypted: false, status: 503, flag: "UF",
  body: `${UPSTREAM_PREFIX}reset reason: connection failure, transport failure reason: TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end`,
  serverFlag: undefined, resetReason: "connection failure",
  reason: "the client sidecar starts a TLS handshake the server side cannot complete",
});

/**
 * Istio mTLS where the server's workload certificate has expired (istiod was unreachable for its
 * rotation): the client's certificate verification fails the handshake; the client sidecar answers
 * 503 UF, the server side logs a failed TLS handshake.
 */
export const CONNECTION_CERT_EXPIRED = outcome({
  kind: "handshake-failure", ok: false, mtls: false, encrypted: false, status: 503, flag: "UF",
  body: `${UPSTREAM_PREFIX}reset reason: connection failure, transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end`,
  serverFlag: undefined, resetReason: "connection failure",
  reason: "a workload certificate has expired: the peer rejects it in the mTLS handshake",
});

/**
 * Istio mTLS where only the client's workload certificate has expired: the server's Envoy fails to
 * verify it and sends the TLS alert certificate_expired (DefaultCertValidator::doVerifyCertChain
 * returns SSL_alert_from_verify_result(X509_V_ERR_CERT_HAS_EXPIRED)); the client reads the alert,
 * BoringSSL's SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED (ERR_LIB_SSL << 24 | 1045).
 * https://github.com/envoyproxy/envoy/blob/main/source/common/tls/cert_validator/default_validator.cc
 */
export const CONNECTION_CLIENT_CERT_EXPIRED = outcome({
  kind: "handshake-failure", ok: false, mtls: false, encrypted: false, status: 503, flag: "UF",
  body: `${UPSTREAM_PREFIX}reset reason: connection failure, transport failure reason: TLS_error:|268436501:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED:TLS_error_end`,
  serverFlag: undefined, resetReason: "connection failure",
  reason: "the client's workload certificate has expired: the server rejects it in the mTLS handshake (alert certificate_expired)",
});

/**
 * An mTLS handshake at `now` between a client and a server whose workload certificates end at these
 * times. The client verifies the server's certificate first (TLS 1.3: the server's Certificate comes
 * before the client's), so an expired server certificate fails it at the client
 * (CERTIFICATE_VERIFY_FAILED) whatever the client's; else an expired client certificate draws the
 * server's alert. undefined: both valid.
 */
export function expiredCertificateOutcome(now: number, clientNotAfter: number, serverNotAfter: number): ConnectionOutcome | undefined {
  if (now >= serverNotAfter) return CONNECTION_CERT_EXPIRED;
  if (now >= clientNotAfter) return CONNECTION_CLIENT_CERT_EXPIRED;
  return undefined;
}

/**
 * The outcome of one connection.
 * @param clientSidecar the client runs a sidecar (otherwise it is a plain app that speaks plaintext HTTP;
 *   clientTls is then ignored).
 * @param clientTls the client sidecar's choice (chooseClientTls).
 * @param serverSidecar the server pod runs a sidecar (otherwise serverMode is ignored).
 * @param serverMode the server's effective PeerAuthentication mode on the target port.
 */
export function connectionSecurity(
  clientSidecar: boolean,
  clientTls: ClientTlsMode,
  serverSidecar: boolean,
  serverMode: EffectiveMtlsMode,
): ConnectionOutcome {
  const plaintext = !clientSidecar || clientTls === "DISABLE";
  if (plaintext) {
    // STRICT accepts only mTLS: the inbound listener has no plaintext filter chain and closes the
    // connection. A bare client sees the reset (mtls-migration task: "000 … exit code 56"); a client
    // sidecar turns it into 503 UC (DestinationRule DISABLE row of semantics.md §6.2).
    // https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
    if (serverSidecar && serverMode === "STRICT") return clientSidecar ? CONNECTION_UPSTREAM_RESET : CONNECTION_RESET;
    // PERMISSIVE detects plaintext with the TLS inspector; DISABLE and no sidecar speak plaintext.
    // https://istio.io/latest/docs/reference/config/security/peer_authentication/
    return CONNECTION_PLAINTEXT;
  }
  if (clientTls === "ISTIO_MUTUAL") {
    // Both STRICT and PERMISSIVE terminate Istio mTLS. Without a sidecar, or with DISABLE (TLS not
    // terminated, bytes passed to a plaintext app), the handshake fails: 503 UF (semantics.md §6.1, §6.2).
    if (serverSidecar && serverMode !== "DISABLE") return CONNECTION_MTLS;
    return CONNECTION_HANDSHAKE_FAILURE;
  }
  // SIMPLE / MUTUAL with user certificates. A sidecar server either demands an Istio client
  // certificate (STRICT) or hands the TLS bytes to a plaintext app (PERMISSIVE without Istio ALPN,
  // DISABLE): the handshake fails. Without a sidecar, meshsim assumes the destination terminates TLS
  // itself (an external HTTPS service), which is what these modes are for.
  return serverSidecar ? CONNECTION_HANDSHAKE_FAILURE : CONNECTION_TLS;
}
