// virtualOutbound's catch-all TCP chain logs each connection it proxies: istiod gives its tcp_proxy
// the mesh's access log (istio/istio pilot/pkg/networking/core/listener_builder.go
// buildOutboundCatchAllNetworkFiltersOnly → accesslog.go setTCPAccessLog), which Envoy writes when
// the connection ends (envoyproxy/envoy source/common/tcp_proxy/tcp_proxy.cc, Filter::~Filter), in
// Istio's default TEXT format (pilot/pkg/model/telemetry_logging.go EnvoyTextLogFormat) with the
// TCP meanings of its operators (no request: "- - -", response code 0, BYTES_* the connection's,
// DURATION the downstream connection's): https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../acceptance/meshsim-cli.js";
import { mesh } from "../acceptance/mesh-fixture.js";

const outside = (rate: number, size = 0) => `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: outside}
spec: {from: client, target: "http://api.example.com/", rate: ${rate}${size > 0 ? `, requestSize: ${size}` : ""}}`;

const TIME = String.raw`\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\]`;

describe("the access-log line of a connection to BlackHoleCluster", () => {
  const { summary: s, out } = run({
    "scenario.yaml": mesh({
      name: "blackhole-tcp-log", duration: "2s", servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 10",
      spec: "  mesh: {outboundTrafficPolicy: REGISTRY_ONLY}\n  report: {accessLog: true}",
      istio: outside(20),
    }),
  });
  const lines = fs.readFileSync(path.join(out, "access.log"), "utf8").split("\n").filter((l) => l.includes("BlackHoleCluster"));

  it("one line per connection: no request, code 0, UH, no bytes, no upstream host", () => {
    expect(lines.length).toBe(s.clients["outside"]!.requests);
    for (const l of lines) expect(l).toMatch(new RegExp(`^${TIME} "- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - - - - -$`));
  });
});

describe("the access-log line of a connection to PassthroughCluster", () => {
  const { summary: s, out } = run({
    "scenario.yaml": mesh({
      name: "passthrough-tcp-log", duration: "2s", servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 10",
      spec: "  network: {external: {latency: {dist: constant, value: 40ms}}}\n  report: {accessLog: true}",
      istio: outside(20, 100),
    }),
  });
  const lines = fs.readFileSync(path.join(out, "access.log"), "utf8").split("\n").filter((l) => l.includes("PassthroughCluster"));

  it("one line per connection, flags -, the bytes the app sent, the connection's duration", () => {
    expect(s.clients["outside"]!.requests).toBeGreaterThan(0);
    expect(lines.length).toBe(s.clients["outside"]!.requests);
    for (const l of lines) {
      const m = new RegExp(`^${TIME} "- - -" 0 - - - "-" 100 0 (\\d+) - "-" "-" "-" "-" "-" PassthroughCluster - - - - -$`).exec(l);
      expect(m, l).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(40);
    }
  });

  it("no HTTP line for it (no HTTP connection manager on that chain)", () => {
    expect(fs.readFileSync(path.join(out, "access.log"), "utf8").split("\n").filter((l) => l.includes("api.example.com"))).toEqual([]);
  });
});

describe("the access-log line of a passthrough connection the app gives up on", () => {
  // The server's app calls the external host with a 20 ms timeout; the host takes 100 ms. When the
  // app closes its end, tcp_proxy closes the upstream one and logs the connection with no flag: DC
  // is the HTTP connection manager's ("HTTP only" on Envoy's access-log usage page).
  const { out } = run({
    "scenario.yaml": mesh({
      name: "passthrough-tcp-log-abandoned", duration: "2s",
      servers: [{ name: "server-1", behaviour: "script: [{call: {to: 'http://api.example.com/', timeout: 20ms, onError: continue}}]" }],
      load: "rate: 10",
      spec: "  network: {external: {latency: {dist: constant, value: 100ms}}}\n  report: {accessLog: true}",
    }),
  });
  const lines = fs.readFileSync(path.join(out, "access.log"), "utf8").split("\n").filter((l) => l.includes("PassthroughCluster"));

  it("flags -, closed at the app's timeout", () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      const m = new RegExp(`^${TIME} "- - -" 0 - - - "-" 0 0 (\\d+) - "-" "-" "-" "-" "-" PassthroughCluster - - - - -$`).exec(l);
      expect(m, l).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(15);
      expect(Number(m![1])).toBeLessThan(100);
    }
  });
});
