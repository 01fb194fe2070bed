// The direct path (mesh/kube/direct-exchange.ts DirectPath.send) finds a call target's Service by
// the last target, then a scan of the first 8 targets, then the registry's Map. An app that calls
// more targets than the scan holds, in turn, must still reach each target's own Service: kube-proxy
// picks among that Service's endpoints only (https://kubernetes.io/docs/reference/networking/virtual-ips/).
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

const N = 11;
const names = Array.from({ length: N }, (_, i) => `svc${i}`);

// One pod per Service: a call that reached the wrong Service shows in the pods' counts of requests served.
function yaml(): string {
  const backends = names.map((n) => `---
apiVersion: v1
kind: Service
metadata: {name: ${n}}
spec: {ports: [{port: 8080}], selector: {app: ${n}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${n}}
spec:
  selector: {matchLabels: {app: ${n}}}
  template:
    metadata: {labels: {app: ${n}}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: ${n}}
spec: {selector: {app: ${n}}, serviceTime: {dist: constant, value: 1ms}}
`).join("");
  // The front calls svc0..svc10 in turn, then svc0..svc3 again: 15 calls per request.
  const calls = [...names, ...names.slice(0, 4)].map((n) => `  - call: {to: "http://${n}:8080/"}`).join("\n");
  return `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: direct-targets}
spec:
  duration: 2s
  warmup: 0s
  seed: 5
  mesh: {mode: none}
---
apiVersion: v1
kind: Service
metadata: {name: front}
spec: {ports: [{port: 8080}], selector: {app: front}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: front}
spec:
  selector: {matchLabels: {app: front}}
  template:
    metadata: {labels: {app: front}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: front}
spec:
  selector: {app: front}
  script:
${calls}
${backends}---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: outside, target: "http://front:8080/", rate: 50, arrival: constant}
`;
}

describe("the direct path's targets", () => {
  it("each of 11 targets called in turn reaches its own Service (past the 8 scanned)", () => {
    const s = runScenario(scenarioFrom(yaml())).summary;
    const front = s.pods["front-0"]!.requests;
    expect(front).toBeGreaterThan(90);
    for (let i = 0; i < N; i++) {
      // svc0..svc3 are called twice per request, the others once.
      expect(s.pods[`svc${i}-0`]!.requests, `svc${i}`).toBe(front * (i < 4 ? 2 : 1));
    }
  });
});
