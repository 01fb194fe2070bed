// Envoy's HTTP connection manager ends a stream that sees no activity for stream_idle_timeout (5 min
// when unset; 504 SI for a request fully received, conn_manager_impl.cc onIdleTimeout and
// utility.cc maybeRequestTimeoutCode). istiod disables it: every HttpConnectionManager it builds —
// sidecar inbound and outbound, gateways, waypoints — has `stream_idle_timeout: 0s`
// (istio/istio pilot/pkg/networking/core/listener_builder.go buildHTTPConnectionManager, since
// istio#7428 "Fix 300s timeout for grpc streams"), and no request_timeout or max_stream_duration.
// So in a mesh a request whose upstream never answers, with no route timeout, stays open for good.
// This test guards meshsim's (correct) behaviour against the documentation's 5-minute default.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

const BLACKHOLE = `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: stream-idle}
spec:
  seed: 1
  duration: 10s
  warmup: 0s
  timeline:
  - at: 2s
    kill: {pod: backend-0, network: blackhole}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec:
  ports: [{name: http, port: 8080}]
  selector: {app: backend}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 2
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec: {containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec:
  selector: {app: backend}
  serviceTime: {dist: exponential, mean: 5ms}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: example/client}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec:
  from: client
  target: http://backend:8080/
  rate: 100
`;

describe("stream_idle_timeout: istiod writes 0s (disabled) on every HTTP connection manager", () => {
  it("requests to a blackholed pod with no route timeout are still open five minutes later: no 504 SI", () => {
    const out = runScenario(scenarioFrom(BLACKHOLE), { seed: 1 });
    const s = out.summary;
    // The pod stays an endpoint (node-monitor grace 40 s, past the run). The first request on each
    // of the client sidecar's kept-alive connections to it is lost and hangs (later ones open new
    // connections, which time out after connectTimeout and are retried elsewhere). The run drains
    // for 300 s after its end: with Envoy's 5-minute default they would have ended 504 SI within it.
    expect(out.run.unfinished).toBeGreaterThan(0);
    expect(s.clients["users"]!.codes["504"]).toBeUndefined();
    expect(s.clients["users"]!.flags["SI"]).toBeUndefined();
    expect(s.clients["users"]!.codes["200"]).toBeGreaterThan(900);
  });
});
