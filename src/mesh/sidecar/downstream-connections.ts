// Clients' connections to a gateway's Envoy whose listener terminates TLS: the first request on a new
// connection waits for the TLS 1.3 handshake — one more round trip between the client and the gateway
// (the ClientHello out, the server's flight back; the client's Finished leaves with the request) and
// the gateway's side of it (key exchange and its certificate's signature), on the worker the connection
// is pinned to when the gateway's CPU is modelled, else a fixed time. A connection that the listener
// refuses (downstream-tls.ts) answers no HTTP: the client sees its connection closed one round trip
// after it sent its first bytes. Connections are those of closed-loop load generators (fortio's
// threads); an open-loop generator has no connections, so it pays no handshake.
// https://www.rfc-editor.org/rfc/rfc8446#section-2 (TLS 1.3 full handshake: 1 RTT);
// envoyproxy/envoy source/common/tls/ssl_socket.cc (SslSocket::doHandshake on the downstream socket).
import type { Simulator } from "../../engine/simulator.js";
import type { Exchange, Responder } from "../transport.js";
import type { Pod } from "../kube/pod.js";
import type { SidecarCpu } from "./sidecar-cpu.js";
import { FORTIO_DIAL_MS } from "../app/sidecar-dial.js";

/**
 * The round trip between a load generator and the gateway it sends from: the same loopback-like trip
 * as its dial (meshsim's load generator at a gateway stands for a client next to it).
 */
export const CLIENT_ROUND_TRIP_MS = FORTIO_DIAL_MS;

class ClosedConnection implements Exchange {
  abandoned = false;
  constructor(readonly responder: Responder, readonly flags: string) {}
  abandon(): void {
    this.abandoned = true;
  }
}

export class DownstreamConnections {
  /** The open connections (by the client's socket id) each gateway has completed a handshake on. */
  private readonly open = new Map<Pod, Set<number>>();
  private readonly kClosed: number;

  constructor(private readonly sim: Simulator, private readonly fixedHandshakeMs: number) {
    this.kClosed = sim.on((c: ClosedConnection) => {
      if (!c.abandoned) c.responder.onResponse(0, c.flags);
    });
  }

  /** Is this request the first on its connection (which then handshakes)? Open loop (conn < 0): no. */
  opened(pod: Pod, conn: number): boolean {
    if (conn < 0) return false;
    let s = this.open.get(pod);
    if (s === undefined) this.open.set(pod, (s = new Set()));
    if (s.has(conn)) return false;
    s.add(conn);
    return true;
  }

  closed(pod: Pod, conn: number): void {
    this.open.get(pod)?.delete(conn);
  }

  /** The time the handshake adds before the request: a round trip and the gateway's CPU for it. */
  handshakeMs(cpu: SidecarCpu | null, worker: number): number {
    const now = this.sim.now;
    return CLIENT_ROUND_TRIP_MS + (cpu !== null ? cpu.handshake(worker, now) - now : this.fixedHandshakeMs);
  }

  /** The listener closes the connection: no HTTP response, one round trip later. */
  close(responder: Responder, flags: string): Exchange {
    const c = new ClosedConnection(responder, flags);
    this.sim.after(CLIENT_ROUND_TRIP_MS, this.kClosed, c);
    return c;
  }
}
