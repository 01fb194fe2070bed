// A connect that runs out its connect timeout resets the upstream request with reason
// ConnectionTimeout: the access log's details read `{connection_timeout}`, a refused connect's
// `{remote_connection_failure}` (envoy router.cc Filter::onUpstreamReset; http/utility.cc
// resetReasonToString, spaces as "_").
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../acceptance/meshsim-cli.js";
import { mesh } from "../acceptance/mesh-fixture.js";

const blackholed = {
  "scenario.yaml": mesh({
    name: "connect-blackhole", duration: "10s",
    spec: "  report: {accessLog: true}\n  timeline:\n  - at: 0s\n    kill: {deployment: server, count: 1, network: blackhole}",
    servers: [{ name: "server", behaviour: "serviceTime: 1ms" }],
    // Three connects of 1 s and the back-offs outlast fortio's default -timeout (3 s).
    load: "connections: 1, qps: 0, requests: 2, timeout: 60s",
    istio: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec: {host: server, trafficPolicy: {connectionPool: {tcp: {connectTimeout: 1s}}}}`,
  }),
};

describe("the details of a failed connect", () => {
  it("a blackholed host: URX,UF with upstream_reset_before_response_started{connection_timeout}", () => {
    const { out } = run(blackholed);
    const lines = fs.readFileSync(path.join(out, "access.log"), "utf8").split("\n").filter((l) => l.includes(" outbound|"));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toContain(" 503 URX,UF upstream_reset_before_response_started{connection_timeout} ");
  });
});
