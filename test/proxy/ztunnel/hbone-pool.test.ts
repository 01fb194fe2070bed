// ztunnel's HBONE pool (src/proxy/pool.rs, defaults in src/config.rs): per (source, destination)
// identity, ≤ 100 streams per HTTP/2 connection, released after 5 min unused.
import { describe, expect, it } from "vitest";
import { HBONE_MAX_STREAMS_PER_CONNECTION, HBONE_UNUSED_RELEASE_MS, HbonePool } from "../../../src/proxy/ztunnel/hbone-pool.js";

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
