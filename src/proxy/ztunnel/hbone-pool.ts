// ztunnel's HBONE connection pool: HTTP/2 CONNECT streams over mTLS to port 15008. Each unique
// source/destination key gets its own dedicated connections; a connection carries up to
// POOL_MAX_STREAMS_PER_CONNECTION streams (100) at once, a new one is dialled (an mTLS handshake) when
// all are full, and a connection unused for POOL_UNUSED_RELEASE_TIMEOUT (5 min) is released. The key
// is ztunnel's WorkloadKey — source identity and IP, destination identities and address (pod IP:15008)
// — and every in-pod workload has its own pool, so the caller keys by source pod and destination pod
// (or waypoint pod), not by identity alone: two replicas of one ServiceAccount get two tunnels.
// https://istio.io/latest/docs/ambient/architecture/hbone/
// https://github.com/istio/ztunnel/blob/62d82653/src/proxy/pool.rs#L42-L49 (invariants)
// https://github.com/istio/ztunnel/blob/62d82653/src/proxy/h2/client.rs#L49-L59 (WorkloadKey)
// https://github.com/istio/ztunnel/blob/62d82653/src/config.rs#L105-L106
// Pure: the caller passes the time.

export const HBONE_MAX_STREAMS_PER_CONNECTION = 100;
export const HBONE_UNUSED_RELEASE_MS = 5 * 60_000;
/**
 * ztunnel's TCP connect timeout (freebind_connect's CONNECTION_TIMEOUT), for a new tunnel as for a
 * plaintext connection: https://github.com/istio/ztunnel/blob/62d82653/src/proxy.rs#L645-L697
 */
export const ZTUNNEL_CONNECT_TIMEOUT_MS = 10_000;
/**
 * HTTP/2 keepalive of every HBONE tunnel: a PING 10 s after it opens and 10 s after each PONG; no
 * PONG within 20 s drops the tunnel and resets its streams (do_ping_pong in
 * https://github.com/istio/ztunnel/blob/62d82653/src/proxy/h2.rs#L31-L75, drive_connection in
 * src/proxy/h2/client.rs).
 */
export const HBONE_PING_INTERVAL_MS = 10_000;
export const HBONE_PING_TIMEOUT_MS = 20_000;

/**
 * When a tunnel opened at `openedMs` is dropped because its peer went silent at `silentFromMs`:
 * the first PING sent at or after that time goes unanswered (round trips neglected: PINGs every
 * 10 s from the tunnel's start).
 */
export function tunnelDeadAt(openedMs: number, silentFromMs: number): number {
  const from = Math.max(silentFromMs, openedMs + HBONE_PING_INTERVAL_MS);
  const ping = openedMs + Math.ceil((from - openedMs) / HBONE_PING_INTERVAL_MS) * HBONE_PING_INTERVAL_MS;
  return ping + HBONE_PING_TIMEOUT_MS;
}

/** One HTTP/2 connection of the pool. */
export interface HboneConnection {
  readonly id: number;
  /** When it was dialled (its keepalive PINGs count from there). */
  readonly openedMs: number;
  streams: number;
  /** When its last stream closed (idle since), or Infinity while a stream is open. */
  idleSinceMs: number;
}

export interface HboneAcquired {
  conn: HboneConnection;
  /** A new tunnel was dialled: its mTLS handshake is on this stream's path. */
  dialled: boolean;
}

export class HbonePool<S = string, D = string> {
  /** Source → destination → its connections (two Maps: no key string per stream). */
  private readonly byKey = new Map<S, Map<D, HboneConnection[]>>();
  private nextId = 0;
  /** Tunnels dialled and released, over the pool's life. */
  dialled = 0;
  released = 0;

  constructor(
    readonly maxStreams = HBONE_MAX_STREAMS_PER_CONNECTION,
    readonly unusedReleaseMs = HBONE_UNUSED_RELEASE_MS,
  ) {}

  private list(src: S, dst: D): HboneConnection[] {
    let byDst = this.byKey.get(src);
    if (byDst === undefined) this.byKey.set(src, (byDst = new Map()));
    let conns = byDst.get(dst);
    if (conns === undefined) byDst.set(dst, (conns = []));
    return conns;
  }

  /** A stream for a new TCP connection from `src` to `dst` (the pool's keys) at `now`. */
  acquire(src: S, dst: D, now: number): HboneAcquired {
    const conn = this.stream(src, dst, now);
    return { conn, dialled: this.justDialled };
  }

  /** Whether the last `stream` call dialled a new tunnel. */
  justDialled = false;

  /** `acquire` without the result object (the hot path): read `justDialled` after it. */
  stream(src: S, dst: D, now: number): HboneConnection {
    const conns = this.list(src, dst);
    if (conns.length > 0) this.releaseIdle(conns, now);
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i]!;
      if (c.streams < this.maxStreams) {
        c.streams++;
        c.idleSinceMs = Infinity;
        this.justDialled = false;
        return c;
      }
    }
    const conn: HboneConnection = { id: this.nextId++, openedMs: now, streams: 1, idleSinceMs: Infinity };
    conns.push(conn);
    this.dialled++;
    this.justDialled = true;
    return conn;
  }

  /** The stream's TCP connection closed at `now`. */
  release(conn: HboneConnection, now: number): void {
    if (conn.streams > 0 && --conn.streams === 0) conn.idleSinceMs = now;
  }

  /** The tunnel failed (its dial timed out, or its keepalive did): out of the pool, its streams gone. */
  discard(src: S, dst: D, conn: HboneConnection): void {
    const conns = this.byKey.get(src)?.get(dst);
    const i = conns === undefined ? -1 : conns.indexOf(conn);
    if (i < 0) return;
    conns!.splice(i, 1);
    conn.streams = 0;
    this.released++;
  }

  /** Connections currently open between `src` and `dst` at `now`. */
  open(src: S, dst: D, now: number): number {
    const conns = this.byKey.get(src)?.get(dst);
    if (conns === undefined) return 0;
    this.releaseIdle(conns, now);
    return conns.length;
  }

  /** Every open connection, over all keys (after releasing those idle too long at `now`). */
  total(now: number): number {
    let n = 0;
    for (const byDst of this.byKey.values()) {
      for (const conns of byDst.values()) {
        this.releaseIdle(conns, now);
        n += conns.length;
      }
    }
    return n;
  }

  private releaseIdle(conns: HboneConnection[], now: number): void {
    // Released when a stream asks (lazily): the same as a timer for everything a run can observe.
    for (let i = conns.length - 1; i >= 0; i--) {
      const c = conns[i]!;
      if (c.streams === 0 && now - c.idleSinceMs >= this.unusedReleaseMs) {
        conns.splice(i, 1);
        this.released++;
      }
    }
  }
}
