// ztunnel's HBONE pool (src/proxy/pool.rs, defaults in src/config.rs): per (source, destination)
// key (the run keys by pod: ztunnel-path.ts), ≤ 100 streams per HTTP/2 connection, released after 5 min unused.
import { describe, expect, it } from "vitest";
import { HBONE_MAX_STREAMS_PER_CONNECTION, HBONE_UNUSED_RELEASE_MS, HbonePool, tunnelDeadAt, ZTUNNEL_CONNECT_TIMEOUT_MS } from "../../../src/proxy/ztunnel/hbone-pool.js";

describe("HBONE pool", () => {
  it("carries 100 streams on one tunnel and dials a second for the 101st", () => {
    const p = new HbonePool();
    const got = Array.from({ length: 101 }, () => p.acquire("a", "b", 0));
    expect(HBONE_MAX_STREAMS_PER_CONNECTION).toBe(100);
    expect(got.filter((g) => g.dialled)).toHaveLength(2);
    expect(got[0]!.dialled).toBe(true);
    expect(got[100]!.dialled).toBe(true);
    expect(new Set(got.slice(0, 100).map((g) => g.conn.id)).size).toBe(1);
    expect(p.open("a", "b", 0)).toBe(2);
  });

  it("keeps one pool per (source identity, destination identity)", () => {
    const p = new HbonePool();
    expect(p.acquire("a", "b", 0).dialled).toBe(true);
    expect(p.acquire("a", "c", 0).dialled).toBe(true);
    expect(p.acquire("c", "b", 0).dialled).toBe(true);
    expect(p.acquire("a", "b", 0).dialled).toBe(false);
    expect(p.dialled).toBe(3);
  });

  it("reuses an idle tunnel within 5 minutes and releases it after", () => {
    const p = new HbonePool();
    const first = p.acquire("a", "b", 0);
    p.release(first.conn, 1000);
    const again = p.acquire("a", "b", 1000 + HBONE_UNUSED_RELEASE_MS - 1);
    expect(again.dialled).toBe(false);
    p.release(again.conn, 2000 + HBONE_UNUSED_RELEASE_MS);
    expect(p.open("a", "b", 2000 + 2 * HBONE_UNUSED_RELEASE_MS - 1)).toBe(1);
    expect(p.acquire("a", "b", 2000 + 2 * HBONE_UNUSED_RELEASE_MS).dialled).toBe(true);
    expect(p.released).toBe(1);
  });

  it("never releases a tunnel with an open stream", () => {
    const p = new HbonePool();
    p.acquire("a", "b", 0);
    expect(p.open("a", "b", 10 * HBONE_UNUSED_RELEASE_MS)).toBe(1);
  });
});

// do_ping_pong (https://github.com/istio/ztunnel/blob/62d82653/src/proxy/h2.rs#L31-L75): a PING 10 s
// after the tunnel opens and every 10 s after, dropped when one goes 20 s without its PONG.
describe("HBONE keepalive", () => {
  it("drops a tunnel 20 s after the first PING its silent peer does not answer", () => {
    expect(tunnelDeadAt(0, 30_000)).toBe(50_000);
    expect(tunnelDeadAt(0, 30_001)).toBe(60_000);
    // No PING before 10 s into the tunnel's life.
    expect(tunnelDeadAt(5_000, 6_000)).toBe(35_000);
    expect(ZTUNNEL_CONNECT_TIMEOUT_MS).toBe(10_000);
  });
  it("discards a failed tunnel: the next stream dials again", () => {
    const p = new HbonePool();
    const c = p.acquire("a", "b", 0).conn;
    p.discard("a", "b", c);
    expect(p.open("a", "b", 1)).toBe(0);
    expect(p.acquire("a", "b", 1).dialled).toBe(true);
  });
});
