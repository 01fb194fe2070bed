// The pool's objects keep one hidden class (V8's map) whatever a pool has been through, so that code
// optimized against the pools of the proxies used first does not deoptimize at a later proxy's first
// request. At 1,000 services, --trace-deopt showed `streamDone` deoptimized "not a Smi" at
// `idle.push` (a host pool's `[]` still in small-integer elements when its first connection came free)
// and `host` for a "wrong map" (docs/performance.md, Goal 4, sessions 24 `scale12` and 25 `scale13`;
// https://v8.dev/blog/elements-kinds, https://v8.dev/blog/react-cliff "field representation").
// This file must stay the only one making pools in its module context (vitest isolates files).
import { describe, expect, it } from "vitest";
import { hiddenClasses } from "../../support/hidden-class.js";
import { newClusterCounters, poolLimits } from "../../../src/proxy/pool-limits.js";
import { UpstreamPool, type PoolConnection } from "../../../src/proxy/upstream-pool.js";

const pool = (): UpstreamPool<string> => new UpstreamPool<string>(poolLimits(undefined, false), newClusterCounters());

/** A pool's per-host lists and its list of hosts (private: read for the test through the index). */
function lists(p: UpstreamPool<string>, h: number): object[] {
  const hosts = p["hosts"];
  const host = hosts[h]!;
  return [hosts, host.conns, host.idle, host.pending];
}

describe("the upstream pool's hidden classes", () => {
  it("a host's lists have the same map before and after they held objects", () => {
    const fresh = pool();
    const used = pool();
    used.newStream(0, "a", 0);
    const c = used.conn!;
    used.connected(c, 1);
    used.streamDone(c, false, 2); // the connection is idle: `idle` held it
    used.newStream(0, "b", 3); // and is empty again
    used.newStream(2, "c", 3); // a host after a gap in the ids
    const [f, u] = [lists(fresh, 0), lists(used, 0)];
    for (let i = 0; i < f.length; i++) expect(hiddenClasses([f[i]!, u[i]!])).toBe(1);
    // `[]` would start in small-integer elements: a list that held an object has another map.
    const held: string[] = [];
    held.push("x");
    held.length = 0;
    expect(hiddenClasses([[], held])).toBe(2);
  });

  it("a connection opened at a whole ms keeps its map when times with fractions are stored", () => {
    const a = pool();
    a.newStream(0, "a", 0);
    const whole: PoolConnection = a.conn!;
    const b = pool();
    b.newStream(0, "b", 0.25);
    const frac: PoolConnection = b.conn!;
    b.connected(frac, 1.5);
    b.streamDone(frac, false, 2.75);
    expect(frac.idleSince).toBe(2.75);
    // Before any read of `whole` (a read through a deprecated map migrates the object to the new one).
    expect(hiddenClasses([whole, frac])).toBe(1);
  });
});
