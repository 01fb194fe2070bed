// Envoy binds each downstream connection to one worker thread, and each worker has its own upstream
// connection pools: the thread that runs a connection's requests also owns the pool they leave
// through, so the upstream connections it opens (their TLS handshakes) run on it too. "Once a
// connection is accepted by a listener, the connection spends the rest of its lifetime bound to a
// single worker thread" (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/intro/threading_model);
// connection pools are per worker (ThreadLocalClusterManagerImpl, envoyproxy/envoy
// source/common/upstream/cluster_manager_impl.cc). meshsim used to pick a pinned request's pool by
// the connection's number and its CPU worker by the connection's hash: two different workers half the time.
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

/** One fortio connection, a new mTLS connection upstream per request: the client sidecar's CPU per worker. */
function clientWorkerCpu(seed: number): number[] {
  const sc = scenarioFrom(`apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: pinning}
spec: {seed: ${seed}, duration: 2s}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: backend}
spec: {host: backend, trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 1}}}}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {ports: [{name: http, port: 8080}], selector: {app: backend}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec: {selector: {matchLabels: {app: backend}}, template: {metadata: {labels: {app: backend}}, spec: {containers: [{name: b, image: b}]}}}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec: {selector: {app: backend}, serviceTime: 1ms}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec: {selector: {matchLabels: {app: client}}, template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c, image: c}]}}}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: fortio}
spec: {from: client, target: "http://backend:8080/", connections: 1, requests: 20, qps: 0}
`);
  const { world } = createWorld(sc, { seed });
  world.run();
  const client = [...world.pods.values()].find((p) => p.name.startsWith("client"))!;
  return [...client.proxy!.cpu!.workers.busyMs];
}

describe("a downstream connection's worker runs its requests and owns their upstream pool", () => {
  it("one fortio connection whose every request opens an mTLS connection: all the client sidecar's CPU on one worker", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const busy = clientWorkerCpu(seed);
      expect(busy).toHaveLength(2);
      // The passes, the telemetry after each response and the 20 handshakes: one worker, the other idle.
      expect(Math.max(...busy)).toBeGreaterThan(20 * 0.1);
      expect(Math.min(...busy)).toBe(0);
    }
  });
});
