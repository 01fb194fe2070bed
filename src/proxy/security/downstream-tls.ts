// What a gateway's listener does with a client's connection before any HTTP: Istio gives each Gateway
// server with `tls` (SIMPLE, MUTUAL, ISTIO_MUTUAL, OPTIONAL_MUTUAL) a filter chain with a
// DownstreamTlsContext, matched on the SNI by the server's hosts (`*`: any SNI), and a plain-HTTP
// server a filter chain without one. So on a port whose servers terminate TLS:
// - an `https://` client whose SNI a server takes completes a handshake (a new connection: one more
//   round trip and the gateway's handshake CPU), then its request is routed as HTTP;
// - an SNI no server takes matches no filter chain: Envoy closes the connection (flag NR);
// - MUTUAL / ISTIO_MUTUAL require a client certificate, which a load generator does not present: the
//   handshake fails and the connection closes;
// - a plain `http://` client's request is no ClientHello: the TLS handshake fails and Envoy closes.
// A port no server is on has no listener: the connection is refused.
// On a plain-HTTP port, an `https://` client's ClientHello is not HTTP: Envoy's codec refuses it
// (DPE) and the client's TLS stack cannot read the 400, so it gets no HTTP response either.
// istio/istio pilot/pkg/networking/core/gateway.go (buildGatewayListeners, createGatewayHTTPFilterChainOpts,
// buildGatewayListenerTLSContext); envoyproxy/envoy source/common/listener_manager/filter_chain_manager_impl.cc
// (findFilterChain: no match ⇒ the connection is closed), source/common/tls/ssl_socket.cc.
// https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/

/**
 * At a gateway, the listener on the request's port for its host (SNI):
 * - `plaintext`: HTTP servers; `terminate`: a server that terminates TLS and takes the SNI;
 * - `mutual`: the same, requiring a client certificate; `no-filter-chain`: the port's servers
 *   terminate TLS but none takes the SNI;
 * - `no-listener`: no server of the gateway is on the port (Envoy has no listener there: refused).
 * undefined: a TLS mode meshsim does not model (PASSTHROUGH), or not a gateway.
 */
export type DownstreamTls = "plaintext" | "terminate" | "mutual" | "no-filter-chain" | "no-listener";

export type DownstreamVerdict =
  | { readonly kind: "plain" }
  | { readonly kind: "handshake" }
  /** No HTTP response: the connection is closed (status 0), with the gateway's access-log flag. */
  | { readonly kind: "closed"; readonly flags: string; readonly why: string };

const PLAIN: DownstreamVerdict = { kind: "plain" };
const HANDSHAKE: DownstreamVerdict = { kind: "handshake" };

/** What happens to a client connection of `scheme` ("http", "https") on that listener. */
export function downstreamVerdict(tls: DownstreamTls | undefined, scheme: string): DownstreamVerdict {
  const https = scheme === "https";
  switch (tls) {
    case undefined: return PLAIN;
    case "plaintext":
      return https ? { kind: "closed", flags: "DPE", why: "a TLS ClientHello on a plain-HTTP listener: not HTTP (Envoy's codec refuses it)" } : PLAIN;
    case "terminate":
      return https ? HANDSHAKE : { kind: "closed", flags: "-", why: "plain HTTP on a TLS listener: the TLS handshake fails" };
    case "mutual":
      return { kind: "closed", flags: "-", why: https ? "the listener requires a client certificate (MUTUAL), which the client does not present" : "plain HTTP on a TLS listener: the TLS handshake fails" };
    case "no-listener":
      return { kind: "closed", flags: "-", why: "no server of the gateway is on this port: the connection is refused" };
    case "no-filter-chain":
      return https
        ? { kind: "closed", flags: "NR", why: "no server of the port takes this SNI: no filter chain matches" }
        : { kind: "closed", flags: "-", why: "plain HTTP on a TLS listener: the TLS handshake fails" };
  }
}

/** The Istio Gateway server `tls.mode`s that terminate TLS at the gateway, and whether they require a client certificate. */
export function terminatesTls(mode: string | undefined): "terminate" | "mutual" | undefined {
  switch (mode) {
    case "SIMPLE": case "OPTIONAL_MUTUAL": return "terminate";
    case "MUTUAL": case "ISTIO_MUTUAL": return "mutual";
    default: return undefined;
  }
}
