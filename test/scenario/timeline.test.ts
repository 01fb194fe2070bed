import { describe, expect, it } from "vitest";
import { SIM, load, loadError } from "./scenario-files.js";

const WORLD = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v2}
spec:
  template:
    metadata: {labels: {app: reviews}}
    spec: {containers: [{name: c}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: ratings}
spec: {selector: {app: reviews}}
`;

describe("spec.timeline", () => {
  it("reads every action, sorted by time with ties in written order", () => {
    const s = load({
      "main.yaml": `${SIM}spec:
  duration: 300s
  timeline:
  - {at: 200s, controlPlane: down}
  - {at: 90s, kill: {deployment: reviews-v2, count: 2}}
  - {at: 90s, kill: {pod: reviews-v2-0}}
  - {at: 100s, scale: {deployment: reviews-v2, replicas: 3}}
  - {at: 120s, delete: {kind: VirtualService, name: reviews}}
  - {at: 150s, set: {workload: ratings, errorRate: 0.5, serviceTime: {dist: exponential, mean: 4ms}}}
  - at: 60s
    apply:
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http: [{route: [{destination: {host: reviews}}]}]
  - {at: 210s, controlPlane: up}
${WORLD}`,
    });
    const t = s.simulation.timeline;
    expect(t.map((e) => e.atMs)).toEqual([60_000, 90_000, 90_000, 100_000, 120_000, 150_000, 200_000, 210_000]);
    expect(t.map((e) => e.action)).toEqual([
      expect.objectContaining({ kind: "apply" }),
      { kind: "kill", deployment: "reviews-v2", count: 2, namespace: "default", network: "refuse" },
      { kind: "kill", pod: "reviews-v2-0", count: 1, namespace: "default", network: "refuse" },
      { kind: "scale", deployment: "reviews-v2", replicas: 3, namespace: "default" },
      { kind: "delete", resourceKind: "VirtualService", name: "reviews", namespace: "default" },
      { kind: "set", workload: "ratings", namespace: "default", errorRate: 0.5, serviceTime: { dist: "exponential", mean: 4 } },
      { kind: "controlPlane", state: "down" },
      { kind: "controlPlane", state: "up" },
    ]);
    const apply = t[0]!.action;
    expect(apply.kind === "apply" && apply.resources.map((r) => [r.kind, r.metadata.name])).toEqual([["VirtualService", "reviews"]]);
    // Applied resources are changes, not part of the initial state.
    expect(s.virtualServices).toEqual([]);
    expect(t[0]!.pos.line).toBe(13);
  });

  it("applies resources from a file relative to the Simulation's file", () => {
    const s = load({
      "main.yaml": `${SIM}spec:\n  timeline:\n  - {at: 1s, apply: {file: changes/canary.yaml}}\n`,
      "changes/canary.yaml": "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: r}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default}\nspec: {mtls: {mode: STRICT}}\n",
    });
    const a = s.simulation.timeline[0]!.action;
    expect(a.kind === "apply" && a.resources.map((r) => r.kind)).toEqual(["DestinationRule", "PeerAuthentication"]);
  });

  it("validates applied files like any other", () => {
    const msg = loadError({
      "main.yaml": `${SIM}spec:\n  timeline:\n  - {at: 1s, apply: {file: bad.yaml}}\n  - {at: 2s, apply: {file: missing.yaml}}\n`,
      "bad.yaml": "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {connectionPool: {tcp: {connectTimeout: 10}}}\n",
    }).message;
    expect(msg).toMatch(/main\.yaml:7:28: error: spec\.timeline\[1\]\.apply\.file: cannot read .*missing\.yaml: no such file/);
    expect(msg).toMatch(/bad\.yaml:6:58: error: spec\.trafficPolicy\.connectionPool\.tcp\.connectTimeout: expected a duration string/);
  });

  it("rejects references to missing things, two actions, and a missing time", () => {
    const msg = loadError({
      "main.yaml": `${SIM}spec:
  timeline:
  - {at: 1s, kill: {deployment: nope}}
  - {at: 1s, kill: {pod: nope-0}}
  - {at: 1s, scale: {deployment: reviews-v2, replicas: -1}}
  - {at: 1s, set: {workload: nope, errorRate: 0.1}}
  - {at: 1s, delete: {kind: VirtualService, name: nope}}
  - {at: 1s, delete: {kind: Pod, name: x}}
  - {at: 1s, controlPlane: off}
  - {at: 1s, scale: {deployment: reviews-v2, replicas: 1}, kill: {deployment: reviews-v2}}
  - {kill: {deployment: reviews-v2}}
${WORLD}`,
    }).message.split("\n").map((l) => l.replace(/^.*\/(?=[^/]*:\d+:\d+:)/, ""));
    expect(msg).toEqual([
      'main.yaml:6:33: error: spec.timeline[0].kill.deployment: no Deployment "nope" in namespace "default"',
      'main.yaml:7:26: error: spec.timeline[1].kill.pod: no pod "nope-0" in namespace "default" (pods are named <deployment>-<index>)',
      "main.yaml:8:56: error: spec.timeline[2].scale.replicas: must be >= 0, got -1",
      'main.yaml:9:30: error: spec.timeline[3].set.workload: no Workload "nope" in namespace "default"',
      'main.yaml:10:51: error: spec.timeline[4].delete.name: no VirtualService "nope" in namespace "default" to delete',
      expect.stringMatching(/^main\.yaml:11:29: error: spec\.timeline\[5\]\.delete\.kind: cannot delete kind "Pod"/),
      'main.yaml:12:28: error: spec.timeline[6].controlPlane: must be one of up, down; got "off"',
      "main.yaml:13:5: error: spec.timeline[7]: only one of apply, delete, kill, crash, scale, rollout, set, controlPlane, drain, notReady, ready, partition, heal may be set; got kill and scale",
      "main.yaml:14:5: error: spec.timeline[8].at: is required",
    ]);
  });
});
