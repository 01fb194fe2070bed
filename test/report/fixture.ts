// A recorder fed with a small, known set of requests, for the report tests.
import { Recorder } from "../../src/telemetry/recorder.js";

export const FQDN = {
  reviews: "reviews.default.svc.cluster.local",
  ratings: "ratings.default.svc.cluster.local",
  details: "details.default.svc.cluster.local",
};

/**
 * `order` reverses the order in which subjects are first created (the summary must not depend on it).
 * Warm-up 10 s, windows of 10 s, end at 40 s.
 */
export function fixtureRecorder(order: "forward" | "reverse" = "forward"): Recorder {
  const r = new Recorder({ warmupMs: 10_000, windowMs: 10_000, endMs: 40_000 });
  const makers: (() => void)[] = [
    () => {
      const users = r.client("users");
      for (let i = 0; i < 100; i++) {
        users.issued(10_000 + i * 200);
        users.record(10_000 + i * 200 + 5, 5 + (i % 10) + 0.1234, i % 25 === 0 ? 503 : 200, i % 25 === 0 ? "UO" : "-");
      }
      users.record(5_000, 1, 200, "-"); // warm-up: not counted
    },
    () => {
      const jason = r.client("jason");
      jason.record(15_000, 2500.5, 200, "DI");
      jason.record(25_000, 3.3333, 0, "DC");
      jason.record(26_000, 1, 404, "NR");
    },
    () => {
      // productpage -> reviews-v2: both reporters; the source one is chosen.
      const src = r.edge("productpage-v1", "reviews-v2", FQDN.reviews, "source", true, "default", "default");
      const dst = r.edge("productpage-v1", "reviews-v2", FQDN.reviews, "destination", true, "default", "default");
      for (let i = 0; i < 50; i++) {
        src.record(11_000 + i * 100, 4 + (i % 5), 200, "-");
        dst.record(11_000 + i * 100, 3 + (i % 5), 200, "-");
      }
      src.record(30_000, 0.3, 503, "UF,URX");
      // The source reporter sees plaintext too (mixed migration): merged with the mTLS series.
      const plain = r.edge("productpage-v1", "reviews-v2", FQDN.reviews, "source", false, "default", "default");
      plain.record(31_000, 6, 200, "-");
    },
    () => {
      // reviews-v2 -> ratings-v1 seen only by the destination (e.g. client without sidecar).
      const dst = r.edge("reviews-v2", "ratings-v1", FQDN.ratings, "destination", false, "default", "default");
      for (let i = 0; i < 20; i++) dst.record(12_000 + i, 2, 200, "-");
      // A second service between the same workloads.
      const other = r.edge("reviews-v2", "ratings-v1", "ratings-admin.default.svc.cluster.local", "destination", false, "default", "default");
      for (let i = 0; i < 5; i++) other.record(13_000 + i, 100, 200, "-");
    },
    () => {
      const nr = r.edge("users", "unknown", "unknown", "source", false, "default", "unknown");
      nr.record(20_000, 0.05, 404, "NR");
      const early = r.edge("users", "details-v1", FQDN.details, "source", false); // only warm-up traffic
      early.record(1_000, 1, 200, "-");
    },
    () => {
      const p = r.pod("reviews-v2-0", 2);
      p.busyChanged(10_000, 1);
      p.busyChanged(25_000, 2);
      p.busyChanged(40_000, 0);
      p.served(20_000);
      p.ejections = 1;
      const q = r.pod("ratings-v1-0", Number.POSITIVE_INFINITY);
      q.busyChanged(10_000, 3);
      q.served(12_000);
    },
    () => {
      const c = r.cluster("productpage-v1", "outbound|9080||reviews.default.svc.cluster.local", { upstream_rq_total: 51, upstream_rq_pending_overflow: 0, upstream_cx_active: 2 });
      c.upstream_rq_retry = 1;
      const d = r.cluster("productpage-v1", "outbound|9080||details.default.svc.cluster.local");
      d.upstream_rq_total = 7;
    },
    () => {
      r.event(2_000, "push", { version: 1 });
      r.event(20_000.12345, "eject", { pod: "reviews-v2-0", cluster: "outbound|9080||reviews.default.svc.cluster.local" });
      r.mesh.proxies = 6;
      r.mesh.proxyCpuMs = 1234.56789;
      r.mesh.xdsPushes = 3;
      r.mesh.convergence.record(120);
      r.mesh.convergence.record(410);
    },
  ];
  for (const m of order === "forward" ? makers : [...makers].reverse()) m();
  return r;
}
