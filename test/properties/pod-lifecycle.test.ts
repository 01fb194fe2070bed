// The kubelet's restart back-off and pod readiness, stated as properties.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CRASH_BACKOFF_INITIAL_MS, CRASH_BACKOFF_MAX_MS, CrashBackoff } from "../../src/mesh/kube/crash-backoff.js";
import { ISTIO_PROXY_STARTUP_PROBE, appStartMs, podStart, readyAfterMs, type AppHold, type ProbeTiming } from "../../src/mesh/kube/readiness.js";
import type { Pod } from "../../src/mesh/kube/pod.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { buildSummary } from "../../src/report/summary.js";
import { scenarioFrom } from "../support/scenario-text.js";

const probeArb: fc.Arbitrary<ProbeTiming> = fc.record({
  initialDelayMs: fc.integer({ min: 0, max: 30 }).map((s) => s * 1000),
  periodMs: fc.integer({ min: 1, max: 30 }).map((s) => s * 1000),
  successThreshold: fc.integer({ min: 1, max: 5 }),
});

describe("CrashLoopBackOff", () => {
  /** Each crash comes `run` ms after the container's last start. */
  const runsArb = fc.array(fc.integer({ min: 0, max: 900_000 }), { minLength: 1, maxLength: 40 });

  it("the first restart is immediate, and a back-off never exceeds 5 minutes and doubles from 10 s while the container keeps crashing within 10 minutes", () => {
    fc.assert(
      fc.property(runsArb, (runs) => {
        const b = new CrashBackoff();
        let startedAt = 0;
        let expected = 0; // the window the next crash must wait out (0: none yet)
        let lastRestart = -Infinity;
        for (const run of runs) {
          const crashedAt = startedAt + run;
          const delay = b.restartDelay(crashedAt);
          expect(delay).toBeLessThanOrEqual(CRASH_BACKOFF_MAX_MS);
          if (expected === 0 || crashedAt - lastRestart > 2 * CRASH_BACKOFF_MAX_MS) {
            expect(delay).toBe(0);
            expected = CRASH_BACKOFF_INITIAL_MS;
          } else {
            expect(delay).toBe(expected);
            expected = Math.min(2 * expected, CRASH_BACKOFF_MAX_MS);
          }
          startedAt = lastRestart = crashedAt + delay;
        }
      }),
    );
  });

  it("a container that crashes at once every time restarts after 0, 10, 20, 40, 80, 160 s, then every 5 minutes", () => {
    const b = new CrashBackoff();
    let t = 0;
    const delays: number[] = [];
    for (let k = 0; k < 9; k++) {
      const d = b.restartDelay(t);
      delays.push(d / 1000);
      t += d;
    }
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300]);
  });
});

describe("pod readiness", () => {
  it("a pod with a readinessProbe is never Ready before its app listens, nor before its sidecar's startup probe passes", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }), fc.constantFrom<AppHold>("none", "pilot-agent-wait", "native-startup-probe"),
        fc.integer({ min: 0, max: 60_000 }), fc.array(probeArb, { minLength: 1, maxLength: 3 }),
        (proxyUp, hold, startup, probes) => {
          const t = podStart(proxyUp, hold, startup, probes);
          expect(t.readyMs).toBeGreaterThanOrEqual(t.appUpMs);
          if (proxyUp !== undefined) expect(t.readyMs).toBeGreaterThanOrEqual(proxyUp);
          // ... and it is Ready at a probe tick no more than successThreshold periods after the app listens.
          for (const p of probes) {
            const r = readyAfterMs(p, t.appUpMs - appStartMs(proxyUp, hold));
            expect((r - p.initialDelayMs) % p.periodMs).toBe(0);
            expect(r).toBeLessThan(Math.max(p.initialDelayMs, startup) + p.successThreshold * p.periodMs);
          }
        },
      ),
    );
  });

  it("with holdApplicationUntilProxyStarts the app starts at pilot-agent wait's first successful check; a native sidecar's at its startupProbe's; without either, at once", () => {
    // pilot/cmd/pilot-agent/app/wait.go: sleep periodMillis (500) before every check of /healthz/ready;
    // the injection template's startupProbe: initialDelaySeconds 0, periodSeconds 1.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 60_000 }), (proxyUp, startup) => {
        const waited = podStart(proxyUp, "pilot-agent-wait", startup, []).appUpMs - startup;
        expect(waited % 500).toBe(0);
        expect(waited).toBeGreaterThanOrEqual(proxyUp);
        expect(waited).toBeLessThan(proxyUp + 500);
        const probed = podStart(proxyUp, "native-startup-probe", startup, []).appUpMs - startup;
        expect(probed % 1000).toBe(0);
        expect(probed).toBeGreaterThanOrEqual(proxyUp);
        expect(probed).toBeLessThan(proxyUp + 1000);
        expect(podStart(proxyUp, "none", startup, []).appUpMs).toBe(startup);
      }),
    );
    // Envoy ready at 1.2 s: pilot-agent wait lets the app start at 1.5 s, the startupProbe at 2 s;
    // ready at 0: the first check is still 500 ms away.
    expect([appStartMs(1200, "pilot-agent-wait"), appStartMs(1200, "native-startup-probe"), appStartMs(0, "pilot-agent-wait")]).toEqual([1500, 2000, 500]);
  });

  it("without a readinessProbe a pod is Ready as soon as its sidecar is, however long its app takes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 60_000 }), (proxyUp, startup) => {
        expect(podStart(proxyUp, "none", startup, []).readyMs).toBe(readyAfterMs(ISTIO_PROXY_STARTUP_PROBE, proxyUp));
        expect(podStart(undefined, "none", startup, []).readyMs).toBe(0);
      }),
    );
  });
});

describe("pods joining a running mesh", () => {
  const world = (startupS: number, probe: string, hold: boolean): string => `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: join}
spec:
  duration: 16s
  timeline: [{at: 2s, scale: {deployment: web, replicas: 3}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": ${hold}}'}
    spec:
      containers:
      - name: web
        image: example/web${probe}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: web}
spec: {selector: {app: web}, serviceTime: 2ms, startupTime: ${startupS}s}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  selector: {matchLabels: {app: client}}
  template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c, image: x}]}}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: client, target: "http://web:8080/", rate: 50}
`;
  const probeArb2 = fc.option(
    fc.record({ delay: fc.integer({ min: 0, max: 4 }), period: fc.integer({ min: 1, max: 3 }), success: fc.integer({ min: 1, max: 2 }) }),
    { nil: undefined },
  );

  it("a pod is never an endpoint before it is Ready, joins once it is, and with a readinessProbe no request meets a booting app", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), probeArb2, fc.boolean(), (startupS, probe, hold) => {
        const probeYaml = probe === undefined ? "" : `
        readinessProbe: {httpGet: {path: /, port: 8080}, initialDelaySeconds: ${probe.delay}, periodSeconds: ${probe.period}, successThreshold: ${probe.success}}`;
        const { world: w, recorder } = createWorld(scenarioFrom(world(startupS, probeYaml, hold)));
        const everReady = new Set<Pod>();
        for (let t = 0; t <= 16_000; t += 50) {
          w.advance(t);
          for (const p of w.pods.values()) if (p.ready) everReady.add(p);
          for (const svc of w.registry.byFqdn.values()) for (const p of svc.endpoints) expect(everReady.has(p)).toBe(true);
        }
        // ... and every pod has joined by the end.
        expect(w.registry.byFqdn.get("web.default.svc.cluster.local")!.endpoints.length).toBe(3);
        w.run();
        recorder.finish();
        const codes = buildSummary(recorder, { name: "join", seed: 1, simulatedSeconds: 16, expectations: [] }).clients["users"]!.codes;
        if (probe !== undefined || startupS === 0) expect(codes["503"]).toBeUndefined();
        expect(everReady.size).toBe(4);
      }),
      { numRuns: 12 },
    );
  });
});
