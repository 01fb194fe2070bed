// Issue 19 item 4: outlier detection's interval timer starts when CDS creates the cluster, not at the
// cluster's first request. Envoy creates a cluster's DetectorImpl with the cluster, and
// DetectorImpl::initialize ends with armIntervalTimer()
// (envoyproxy/envoy source/common/upstream/outlier_detection_impl.cc; the detector is made by
// DetectorImplFactory::createForCluster when the cluster manager adds the CDS cluster). So with a 10 s
// interval the sweeps run at 10 s, 20 s, … after the proxy got its clusters, and an ejected host comes
// back at one of those sweeps — up to one interval earlier than if the timer started at the first request.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

/** client calls backend from 7 s on; one replica of three always answers 503; ejection 5 s, interval 10 s. */
const YAML = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: outlier-timer}
spec: {duration: 30s, seed: 1}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {ports: [{name: http, port: 8080}], selector: {app: backend}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 2
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend, version: good}}
    spec: {containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend-bad}
spec:
  replicas: 1
  selector: {matchLabels: {app: backend, version: bad}}
  template:
    metadata: {labels: {app: backend, version: bad}}
    spec: {containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec:
  selector: {app: backend}
  serviceTime: {dist: constant, value: 1ms}
  versions:
    bad: {errorRate: 1}
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
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: backend}
spec:
  host: backend
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 1, interval: 10s, baseEjectionTime: 5s, maxEjectionPercent: 100}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: client, target: http://backend:8080/, rate: 50, start: 7s}
`;

describe("outlier detection's interval timer", () => {
  it("starts when CDS creates the cluster: the ejected host returns at the 20 s sweep, not at 17 s + an interval", () => {
    const out = runScenario(scenarioFrom(YAML));
    const ev = out.summary.events.filter((e) => e.kind === "ejection" || e.kind === "unejection");
    const firstEject = ev.find((e) => e.kind === "ejection")!;
    const firstReturn = ev.find((e) => e.kind === "unejection")!;
    // The bad replica fails its first request just after 7 s and is ejected at once (consecutive 5xx = 1).
    expect(firstEject.t).toBeGreaterThanOrEqual(7);
    expect(firstEject.t).toBeLessThan(7.5);
    // Its 5 s are over at ~12 s; the next sweep runs at 20 s (timer armed at 0 s, when the client's
    // proxy got its clusters). Started at the first request (~7 s) the sweeps would run at ~17 s, ~27 s.
    expect(firstReturn.t).toBe(20);
  });
});
