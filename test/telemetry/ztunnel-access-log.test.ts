// ztunnel's access-log line: istio/ztunnel src/proxy/metrics.rs ConnectionResult::record_internal
// (fields in its order; empty ones left out; identities only over mTLS; src.cluster/dst.cluster for a
// workload it knows).
import { describe, expect, it } from "vitest";
import { formatZtunnelAccessLine } from "../../src/telemetry/ztunnel-access-log.js";

const base = {
  startMs: 1_000, endMs: 1_012.5, direction: "inbound" as const,
  srcAddr: "10.0.0.5:40000", srcWorkload: "sleep", srcNamespace: "default", srcIdentity: "spiffe://cluster.local/ns/default/sa/sleep",
  dstAddr: "10.0.0.9:15008", dstHboneAddr: "10.0.0.9:8080", dstService: "httpbin.default.svc.cluster.local",
  dstWorkload: "httpbin", dstNamespace: "default", dstIdentity: "spiffe://cluster.local/ns/default/sa/httpbin",
  bytesSent: 2000, bytesRecv: 100,
};

describe("ztunnel access log line", () => {
  it("has ztunnel's fields in its order, the clusters after the identities", () => {
    expect(formatZtunnelAccessLine(base)).toBe(
      "2024-01-01T00:00:01.012500Z  INFO access: connection complete src.addr=10.0.0.5:40000 src.workload=\"sleep\" " +
      "src.namespace=\"default\" src.identity=\"spiffe://cluster.local/ns/default/sa/sleep\" src.cluster=\"Kubernetes\" " +
      "dst.addr=10.0.0.9:15008 dst.hbone_addr=10.0.0.9:8080 dst.service=\"httpbin.default.svc.cluster.local\" " +
      "dst.workload=\"httpbin\" dst.namespace=\"default\" dst.identity=\"spiffe://cluster.local/ns/default/sa/httpbin\" " +
      "dst.cluster=\"Kubernetes\" direction=\"inbound\" bytes_sent=2000 bytes_recv=100 duration=\"12ms\"\n",
    );
  });
  it("leaves out what ztunnel does not know: a source outside the cluster has no workload, namespace or cluster", () => {
    const line = formatZtunnelAccessLine({ ...base, srcWorkload: "", srcNamespace: "", srcIdentity: "", dstIdentity: "", dstAddr: "10.0.0.9:8080", dstHboneAddr: "" });
    expect(line).toContain("src.addr=10.0.0.5:40000 dst.addr=10.0.0.9:8080 dst.service=");
    expect(line).toContain('dst.namespace="default" dst.cluster="Kubernetes" direction="inbound"');
    expect(line).not.toContain("src.cluster");
  });
});
