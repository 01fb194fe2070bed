// Istio's peer labels at the client sidecar (reporter="source") when the server has no sidecar: no
// x-envoy-peer-metadata comes back, so the stats filter falls back to the endpoint's istio.workload
// metadata, which carries workload, namespace, canonical service and revision and cluster but no
// app or version (istio/proxy istio_stats.cc populatePeerInfo → extractEndpointMetadata;
// extensions/common/metadata_object.cc convertEndpointMetadata).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "../acceptance/istio-samples.js";
import { run } from "../acceptance/meshsim-cli.js";

describe("destination labels of a server without sidecar", () => {
  const { out } = run({
    "sim.yaml": [simulation("peer-labels", "2s"), curl("to-legacy", "foo", "http://httpbin.legacy:8000/ip"), curl("to-bar", "foo", "http://httpbin.bar:8000/ip")].join("---\n"),
    "samples.yaml": [ns("foo", true), ns("bar", true), ns("legacy", false), ns("istio-system", false), httpbin("legacy"), httpbin("bar"), sleep("foo")].join("---\n"),
  });
  const lines = fs.readFileSync(path.join(out, "metrics.prom"), "utf8").split("\n").filter((l) => l.startsWith("istio_requests_total{reporter=\"source\""));
  const labels = (ns_: string) => {
    const l = lines.find((x) => x.includes(`destination_workload_namespace="${ns_}"`))!;
    return Object.fromEntries([...l.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  };

  it("has no destination app or version, but the endpoint's workload and canonical names", () => {
    expect(labels("legacy")).toMatchObject({
      destination_workload: "httpbin", destination_app: "unknown", destination_version: "unknown",
      destination_canonical_service: "httpbin", destination_canonical_revision: "v1", destination_principal: "unknown",
    });
  });
  it("a server with a sidecar sends its app and version in the peer metadata", () => {
    expect(labels("bar")).toMatchObject({ destination_workload: "httpbin", destination_app: "httpbin", destination_version: "v1" });
  });
});

// An external ServiceEntry's cluster carries istio.services metadata {host, name: the host,
// namespace: the ServiceEntry's} (istio/istio pilot/pkg/networking/core/cluster.go
// buildServiceMetadata; serviceentry/conversion.go), which the stats filter reads.
describe("service labels of a ServiceEntry host", () => {
  const { out } = run({
    "sim.yaml": [simulation("se-labels", "2s"), `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: httpbin-ext, namespace: foo}
spec:
  hosts: [httpbin.org]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
  location: MESH_EXTERNAL
`, curl("to-se", "foo", "http://httpbin.org/headers")].join("---\n"),
    "samples.yaml": [ns("foo", true), ns("istio-system", false), sleep("foo")].join("---\n"),
  });
  it("names the host and the ServiceEntry's namespace", () => {
    const line = fs.readFileSync(path.join(out, "metrics.prom"), "utf8").split("\n").find((l) => l.startsWith("istio_requests_total{reporter=\"source\"") && l.includes('destination_service="httpbin.org"'))!;
    expect(line).toContain('destination_service_name="httpbin.org",destination_service_namespace="foo"');
  });
});

// Over plaintext the client sidecar has no upstream certificate, and its stats filter takes
// destination_principal from that certificate's URI SAN only: the server's identity in the peer
// metadata that came back is not used, so it is "unknown" although app and version are known.
// istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc (populatePeerInfo, the
// ClientSidecar case: peer_san from upstreamInfo()->upstreamSslConnection()->uriSanPeerCertificate()).
describe("destination principal at the client over plaintext to a sidecar", () => {
  const { out } = run({
    "sim.yaml": [simulation("plain-principal", "2s"), `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: bar}
spec: {host: httpbin.bar.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}
`, curl("to-bar", "foo", "http://httpbin.bar:8000/ip")].join("---\n"),
    "samples.yaml": [ns("foo", true), ns("bar", true), ns("istio-system", false), httpbin("bar"), sleep("foo")].join("---\n"),
  });
  const line = (reporter: string) => {
    const l = fs.readFileSync(path.join(out, "metrics.prom"), "utf8").split("\n").find((x) => x.startsWith(`istio_requests_total{reporter="${reporter}"`))!;
    return Object.fromEntries([...l.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  };
  it("is unknown at the source reporter, with the peer metadata's app and version", () => {
    expect(line("source")).toMatchObject({ destination_principal: "unknown", destination_app: "httpbin", destination_version: "v1", response_code: "200" });
  });
  it("the destination reporter sees no client certificate either", () => {
    expect(line("destination")).toMatchObject({ source_principal: "unknown", destination_principal: "unknown", connection_security_policy: "none" });
  });
});
