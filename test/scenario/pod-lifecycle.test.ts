// Reading what decides how pods start, crash and vanish: readinessProbe, Workload startupTime,
// the sidecar's startup time, holdApplicationUntilProxyStarts, and the timeline's crash and kill.
import { describe, expect, it } from "vitest";
import { SIM, load, loadError } from "./scenario-files.js";

const deployment = (container: string, annotations = "") => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      labels: {app: web}${annotations}
    spec:
      containers:
      - name: web
        image: x${container}
`;

describe("pod startup fields", () => {
  it("reads a container's readinessProbe with Kubernetes' defaults (0 s delay, 10 s period, 1 success)", () => {
    const s = load({ "main.yaml": `${SIM}${deployment(`
        readinessProbe: {httpGet: {path: /, port: 80}, initialDelaySeconds: 5, successThreshold: 2, failureThreshold: 3, timeoutSeconds: 1}
      - name: other
        image: y
        readinessProbe: {tcpSocket: {port: 81}}`)}` });
    expect(s.deployments[0]!.readinessProbes).toEqual([
      { initialDelayMs: 5000, periodMs: 10_000, successThreshold: 2 },
      { initialDelayMs: 0, periodMs: 10_000, successThreshold: 1 },
    ]);
    expect(s.deployments[0]!.holdApplicationUntilProxyStarts).toBe(false);
  });

  it("reads holdApplicationUntilProxyStarts from the proxy.istio.io/config annotation, YAML or JSON", () => {
    const yaml = load({ "main.yaml": `${SIM}${deployment("", `\n      annotations: {proxy.istio.io/config: "holdApplicationUntilProxyStarts: true"}`)}` });
    expect(yaml.deployments[0]!.holdApplicationUntilProxyStarts).toBe(true);
    const json = load({ "main.yaml": `${SIM}${deployment("", `\n      annotations: {proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": false, "concurrency": 2}'}`)}` });
    expect(json.deployments[0]!.holdApplicationUntilProxyStarts).toBe(false);
  });

  it("rejects a probe period of 0 and a non-boolean holdApplicationUntilProxyStarts, naming the field", () => {
    expect(loadError({ "main.yaml": `${SIM}${deployment(`
        readinessProbe: {periodSeconds: 0}`)}` }).message).toMatch(/main\.yaml:\d+:\d+: error: .*readinessProbe\.periodSeconds: must be >= 1/);
    expect(loadError({ "main.yaml": `${SIM}${deployment("", `\n      annotations: {proxy.istio.io/config: "holdApplicationUntilProxyStarts: sometimes"}`)}` }).message)
      .toMatch(/proxy\.istio\.io\/config.*holdApplicationUntilProxyStarts must be true or false/);
  });

  it("reads terminationDrainDuration (default 5 s) from proxy.istio.io/config and the nativeSidecar annotation (default off)", () => {
    const plain = load({ "main.yaml": `${SIM}${deployment("")}` }).deployments[0]!;
    expect([plain.terminationDrainMs, plain.nativeSidecar]).toEqual([5000, false]);
    const set = load({ "main.yaml": `${SIM}${deployment("", `\n      annotations: {proxy.istio.io/config: "terminationDrainDuration: 1m30s", sidecar.istio.io/nativeSidecar: "true"}`)}` }).deployments[0]!;
    expect([set.terminationDrainMs, set.nativeSidecar]).toEqual([90_000, true]);
    // The injection template's `ne (annotation …) "false"`: any other value is native too
    // (istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml $nativeSidecar).
    const yes = load({ "main.yaml": `${SIM}${deployment("", `\n      annotations: {sidecar.istio.io/nativeSidecar: "yes"}`)}` }).deployments[0]!;
    expect(yes.nativeSidecar).toBe(true);
    expect(loadError({ "main.yaml": `${SIM}${deployment("", `\n      annotations: {proxy.istio.io/config: "terminationDrainDuration: 5"}`)}` }).message)
      .toMatch(/main\.yaml:\d+:\d+: error: .*proxy\.istio\.io\/config.*: terminationDrainDuration must be a duration string such as "5s"/);
  });

  it("reads the Workload's startupTime (default 0) and the sidecar's startupTime (default 1 s)", () => {
    const s = load({
      "main.yaml": `${SIM}spec:\n  mesh: {proxy: {startupTime: {dist: uniform, min: 1s, max: 3s}}}\n${deployment("")}---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: web}
spec: {selector: {app: web}, startupTime: 8s}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: other, namespace: x}
spec: {selector: {app: web}}
`,
    });
    expect(s.simulation.mesh.proxy.startupTime).toEqual({ dist: "uniform", min: 1000, max: 3000 });
    expect(s.workloads.map((w) => w.startupTime)).toEqual([{ dist: "constant", value: 8000 }, { dist: "constant", value: 0 }]);
  });
});

describe("timeline crash and kill", () => {
  it("reads crash with crashAfter and times, and kill with network: blackhole", () => {
    const s = load({
      "main.yaml": `${SIM}spec:
  duration: 300s
  timeline:
  - {at: 10s, crash: {deployment: web, count: 2, crashAfter: {dist: exponential, mean: 20s}, times: 5}}
  - {at: 20s, crash: {pod: web-0}}
  - {at: 30s, kill: {pod: web-0, network: blackhole}}
${deployment("")}`,
    });
    expect(s.simulation.timeline.map((e) => e.action)).toEqual([
      { kind: "crash", deployment: "web", count: 2, namespace: "default", crashAfter: { dist: "exponential", mean: 20_000 }, times: 5 },
      { kind: "crash", pod: "web-0", count: 1, namespace: "default" },
      { kind: "kill", pod: "web-0", count: 1, namespace: "default", network: "blackhole" },
    ]);
  });

  it("rejects a crash of a missing deployment, times 0, and an unknown network mode", () => {
    const msg = loadError({
      "main.yaml": `${SIM}spec:
  timeline:
  - {at: 1s, crash: {deployment: nope}}
  - {at: 1s, crash: {deployment: web, times: 0}}
  - {at: 1s, kill: {deployment: web, network: drop}}
${deployment("")}`,
    }).message;
    expect(msg).toMatch(/spec\.timeline\[0\]\.crash\.deployment: no Deployment "nope"/);
    expect(msg).toMatch(/spec\.timeline\[1\]\.crash\.times: must be >= 1/);
    expect(msg).toMatch(/spec\.timeline\[2\]\.kill\.network: must be one of refuse, blackhole/);
  });
});
