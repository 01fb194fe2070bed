import { describe, it, expect } from "vitest";
import { MAX_EVENTS, Recorder } from "../../src/telemetry/recorder.js";

const opts = { warmupMs: 10_000, windowMs: 10_000, endMs: 60_000 };

describe("Recorder", () => {
  it("gives one client handle per name and excludes requests that end in the warm-up", () => {
    const r = new Recorder(opts);
    const c = r.client("users");
    expect(r.client("users")).toBe(c);
    c.record(9_999, 5, 503, "UO");
    c.record(10_000, 5, 200, "-");
    expect(c.requests).toBe(1);
    expect(c.errors).toBe(0);
    expect(c.windows.points()[0]!.requests).toBe(1);
  });

  it("caches edge handles by their labels, positional or as an object; namespaces default to unknown", () => {
    const r = new Recorder(opts);
    const a = r.edge("productpage-v1", "reviews-v2", "reviews.default.svc.cluster.local", "source", true);
    expect(r.edge("productpage-v1", "reviews-v2", "reviews.default.svc.cluster.local", "source", true)).toBe(a);
    expect(a.labels.sourceNamespace).toBe("unknown");
    expect(a.labels.destinationNamespace).toBe("unknown");
    const b = r.edge({
      source: "productpage-v1", sourceNamespace: "unknown", destination: "reviews-v2", destinationNamespace: "unknown",
      service: "reviews.default.svc.cluster.local", reporter: "source", mtls: true,
    });
    expect(b).toBe(a);
    expect(r.edge("productpage-v1", "reviews-v2", "reviews.default.svc.cluster.local", "destination", true)).not.toBe(a);
    expect(r.edge("productpage-v1", "reviews-v2", "reviews.default.svc.cluster.local", "source", false)).not.toBe(a);
    expect(r.edge("productpage-v1", "reviews-v2", "reviews.default.svc.cluster.local", "source", true, "default", "default")).not.toBe(a);
    expect(r.edge("users", "unknown", "unknown", "source", false).labels.destination).toBe("unknown");
    expect(r.edges.length).toBe(5);
  });

  it("edges keep windowed requests and errors without percentiles", () => {
    const r = new Recorder(opts);
    const e = r.edge("a", "b", "b.default.svc.cluster.local", "source", false);
    e.record(15_000, 3, 200, "-");
    e.record(25_000, 3, 503, "UF");
    expect(e.windows.points().slice(0, 2)).toEqual([{ t: 10, requests: 1, errors: 0 }, { t: 20, requests: 1, errors: 1 }]);
  });

  it("measures pod utilisation as busy slot·ms over concurrency × measured ms, warm-up and drain excluded", () => {
    const r = new Recorder(opts);
    const p = r.pod("reviews-v2-0", 4);
    expect(r.pod("reviews-v2-0", 4)).toBe(p);
    p.busyChanged(0, 4); // busy during the warm-up: not counted
    p.busyChanged(10_000, 2); // 2 busy over [10 s, 35 s]
    p.busyChanged(35_000, 0);
    p.busyChanged(55_000, 4); // 4 busy over [55 s, 60 s], then the drain after the end is not counted
    p.busyChanged(70_000, 0);
    p.served(9_000);
    p.served(20_000);
    p.served(61_000);
    expect(p.busySlotMs).toBe(2 * 25_000 + 4 * 5_000);
    expect(p.utilization()).toBeCloseTo(70_000 / (4 * 50_000), 12);
    expect(p.meanBusy()).toBeCloseTo(70_000 / 50_000, 12);
    expect(p.requests).toBe(2);
    expect(r.pod("unbounded-0", Number.POSITIVE_INFINITY).utilization()).toBeNull();
  });

  it("integrates a client's requests in flight over the measured period (Little's L)", () => {
    const r = new Recorder({ warmupMs: 0, windowMs: 1000, endMs: 10_000 });
    const c = r.client("users");
    c.issued(0);
    c.issued(2_000);
    c.record(4_000, 4_000, 200, "-"); // 1 in flight [0,2), 2 in [2,4), 1 in [4,10)
    expect(c.meanInflight()).toBeCloseTo((2_000 + 2 * 2_000 + 6_000) / 10_000, 12);
  });

  it("stops integrating requests in flight at the end of the measured period: the drain is not counted (Recorder.advance)", () => {
    const r = new Recorder({ warmupMs: 0, windowMs: 1000, endMs: 10_000 });
    const c = r.client("users");
    c.issued(0);
    c.record(15_000, 15_000, 200, "-"); // in flight over [0, 15 s), of which [0, 10 s) is measured
    expect(c.meanInflight()).toBe(1);
  });

  it("keeps Envoy cluster counters: a shared record per cluster, or each proxy's registered object, summed", () => {
    const r = new Recorder(opts);
    const own = r.cluster("productpage-v1", "outbound|9080||reviews.default.svc.cluster.local");
    expect(r.cluster("productpage-v1", "outbound|9080||reviews.default.svc.cluster.local")).toBe(own);
    own.upstream_rq_total = (own.upstream_rq_total ?? 0) + 3;
    const proxy = { upstream_rq_total: 2, upstream_rq_pending_overflow: 1 };
    expect(r.cluster("productpage-v1", "outbound|9080||reviews.default.svc.cluster.local", proxy)).toBe(proxy);
    proxy.upstream_rq_total++; // live object
    expect(r.clusterTotals("productpage-v1", "outbound|9080||reviews.default.svc.cluster.local")).toEqual({ upstream_rq_total: 6, upstream_rq_pending_overflow: 1 });
    expect(r.clusterTotals("nobody", "none")).toEqual({});
  });

  it("keeps rare events in a list of bounded length", () => {
    const r = new Recorder(opts);
    r.event(5_000, "kill", { pod: "reviews-v2-0" });
    expect(r.events).toEqual([{ t: 5_000, kind: "kill", detail: { pod: "reviews-v2-0" } }]);
    for (let i = 0; i < MAX_EVENTS + 5; i++) r.event(i, "push", {});
    expect(r.events.length).toBe(MAX_EVENTS);
    expect(r.droppedEvents).toBe(6);
  });

  it("memory stays flat: a longer run records into the same preallocated windows and series", () => {
    const r = new Recorder({ warmupMs: 0, windowMs: 10_000, endMs: 100_000 });
    const c = r.client("users");
    const e = r.edge("users", "httpbin", "httpbin.default.svc.cluster.local", "source", false);
    for (let i = 0; i < 100_000; i++) {
      c.record(i, 1 + (i % 100), 200, "-");
      e.record(i, 1 + (i % 100), 200, "-");
    }
    r.finish();
    expect(c.windows.points().length).toBe(10);
    expect(c.series.length).toBe(1);
    expect(e.series.length).toBe(1);
    expect(c.windows.points()[0]!.requests).toBe(10_000);
  });
});
