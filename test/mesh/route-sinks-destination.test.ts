// RouteSinks.destination is Inbound.receive's short form of get("destination", ...): the same sink
// for every (mTLS, host id, origin, port), the slot of the destination reporter and the connection's
// mTLS (src/mesh/route-sinks.ts, get: host id × 4 + 2 + mTLS), and EdgeSinks' own for another origin
// or an unknown host id.
import { describe, expect, it } from "vitest";
import { RouteSinks } from "../../src/mesh/route-sinks.js";
import type { EdgeSinks } from "../../src/mesh/edge-sinks.js";
import type { RequestSink } from "../../src/mesh/mesh-telemetry.js";
import type { Pod } from "../../src/mesh/kube/pod.js";
import type { Origin } from "../../src/mesh/transport.js";

/** EdgeSinks that answer one distinct object per question, and count the questions. */
function fakeSinks(): { sinks: EdgeSinks; asked: string[] } {
  const made = new Map<string, RequestSink>();
  const asked: string[] = [];
  const sinkOf = (key: string): RequestSink => {
    asked.push(key);
    let s = made.get(key);
    if (s === undefined) made.set(key, (s = { key } as unknown as RequestSink));
    return s;
  };
  const sinks = {
    destination: (mtls: boolean, origin: Origin, pod: Pod, service: string, port: number) =>
      sinkOf(`destination ${mtls} ${origin.workload} ${pod.name} ${service} ${port}`),
    get: (reporter: string, mtls: boolean, origin: Origin, pod: Pod, service: string) =>
      sinkOf(`${reporter} ${mtls} ${origin.workload} ${pod.name} ${service}`),
  } as unknown as EdgeSinks;
  return { sinks, asked };
}

describe("RouteSinks.destination", () => {
  const origin: Origin = { pod: null, workload: "productpage-v1", namespace: "default" };
  const other: Origin = { pod: null, workload: "reviews-v2", namespace: "default" };
  const hosts = [{ name: "ratings-a" }, { name: "ratings-b" }] as unknown as Pod[];

  it("gives get('destination', ...)'s sink for each host and mTLS, asking EdgeSinks once per slot", () => {
    const { sinks, asked } = fakeSinks();
    const rs = new RouteSinks(sinks, origin, "ratings.default.svc.cluster.local");
    for (const mtls of [true, false]) {
      for (let id = 0; id < hosts.length; id++) {
        const s = rs.destination(mtls, origin, hosts[id]!, id, 9080);
        expect(s).toBe(rs.get("destination", mtls, origin, hosts[id]!, id, 9080));
        expect((s as unknown as { key: string }).key).toBe(`destination ${mtls} productpage-v1 ${hosts[id]!.name} ratings.default.svc.cluster.local 9080`);
      }
    }
    // Four slots, each found once: the second ask of each is the kept one.
    expect(asked.length).toBe(4);
    // The source reporter's slot of a host is not the destination's.
    expect(rs.get("source", true, origin, hosts[0]!, 0)).not.toBe(rs.destination(true, origin, hosts[0]!, 0, 9080));
  });

  it("asks EdgeSinks for another origin or a host without a pool id", () => {
    const { sinks, asked } = fakeSinks();
    const rs = new RouteSinks(sinks, origin, "ratings.default.svc.cluster.local");
    const s = rs.destination(true, other, hosts[0]!, 0, 9080);
    expect((s as unknown as { key: string }).key).toBe("destination true reviews-v2 ratings-a ratings.default.svc.cluster.local 9080");
    rs.destination(true, origin, hosts[1]!, -1, 9080);
    rs.destination(true, origin, hosts[1]!, -1, 9080);
    expect(asked.length).toBe(3);
  });
});
