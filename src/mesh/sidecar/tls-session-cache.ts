// A client sidecar's TLS sessions for resuming its upstream mTLS handshakes. Envoy's upstream TLS
// context (one per cluster, shared by the workers) keeps up to `max_session_keys` sessions — default
// 1, which Istio does not change — offers the most recent to each new connection and drops a TLS 1.3
// session once offered (single use, RFC 8446 appendix C.4): envoyproxy/envoy
// source/common/tls/context_impl.cc (ClientContextImpl::newSsl, newSessionKey);
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/tls.proto
// (UpstreamTlsContext.max_session_keys). The server's sidecar issues session tickets after each
// handshake (DownstreamTlsContext leaves stateless resumption on, with a key of its TLS context's
// own) once it has read the client's Finished; the client reads them on arrival, a round trip after
// its handshake (mesh/sidecar/sidecar-path.ts, ticketsRead). A ticket only the server that
// issued it can read: offered to another host, the handshake is a full one. A new workload
// certificate (SDS) makes Envoy build new TLS contexts on either side: the stored session, or the
// key that sealed it, is gone.
import type { Pod } from "../kube/pod.js";

/** A stored session: the server that issued the ticket, and both sides' certificates then. */
export class TlsSession {
  constructor(readonly server: Pod, readonly serverCert: number, readonly clientCert: number) {}
}

/**
 * What holds a cluster's upstream TLS context's one stored session (null: none): the cluster itself
 * (upstream-cluster.ts). A field rather than a WeakMap keyed by cluster: a 1,000-service run offers
 * and stores at each of its ≈ 5,000 connections, and a WeakMap's entries are ephemerons the
 * collector's marking visits apart (docs/performance.md, Goal 4, session 22).
 */
export interface TlsSessionHolder {
  tlsSession: TlsSession | null;
}

export class TlsSessionCache {
  /** A new connection of `cluster` (owned by `client`) to `host` takes the stored session: does its handshake resume? */
  offer(cluster: TlsSessionHolder, client: Pod | null, host: Pod): boolean {
    const s = cluster.tlsSession;
    if (s === null) return false;
    cluster.tlsSession = null;
    return s.server === host && host.alive && s.serverCert === host.certNotAfter && s.clientCert === (client?.certNotAfter ?? Infinity);
  }

  /** A ticket from `host` read on a connection of `cluster`: it replaces the stored one (one key). */
  store(cluster: TlsSessionHolder, client: Pod | null, host: Pod): void {
    cluster.tlsSession = new TlsSession(host, host.certNotAfter, client?.certNotAfter ?? Infinity);
  }
}
