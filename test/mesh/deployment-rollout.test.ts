// The Deployment controller's rolling update against kubernetes pkg/controller/deployment/rolling.go
// (reconcileNewReplicaSet, reconcileOldReplicaSets, cleanupUnhealthyReplicas,
// scaleDownOldReplicaSetsForRollingUpdate) and util/deployment_util.go (ResolveFenceposts,
// MaxUnavailable, NewRSNewReplicas): at every moment the pods counted as replicas stay within
// replicas + maxSurge and the available ones at or above replicas − maxUnavailable.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { RandomStreams } from "../../src/engine/rng.js";
import { DeploymentRollouts, fenceposts, scaledValue } from "../../src/mesh/kube/deployment-rollout.js";
import { Pod } from "../../src/mesh/kube/pod.js";
import type { Deployment, DeploymentStrategy } from "../../src/scenario/model.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

const pct = (value: number) => ({ value, percent: true });
const abs = (value: number) => ({ value, percent: false });

describe("ResolveFenceposts", () => {
  it("rounds maxSurge up and maxUnavailable down; both 0 makes maxUnavailable 1", () => {
    expect(fenceposts(pct(25), pct(25), 10)).toEqual([3, 2]);
    expect(fenceposts(pct(25), pct(25), 4)).toEqual([1, 1]);
    expect(fenceposts(pct(25), pct(25), 3)).toEqual([1, 0]);
    // The examples in deployment_util.go's comment: 1 % unavailable and 0 surge on 2 replicas ⇒ 0 and 1.
    expect(fenceposts(pct(0), pct(1), 2)).toEqual([0, 1]);
    expect(fenceposts(pct(1), pct(25), 1)).toEqual([1, 0]);
    expect(fenceposts(abs(0), abs(5), 3)).toEqual([0, 3]);
    expect(scaledValue(pct(50), 5, true)).toBe(3);
    expect(scaledValue(pct(50), 5, false)).toBe(2);
  });
});

/** A fake cluster: pods become Ready `readyAfterMs` after they are created; deleted pods stop at once. */
function cluster(replicas: number, strategy: Partial<DeploymentStrategy>, readyAfterMs: number) {
  const sim = new Simulator();
  const rng = new RandomStreams(1);
  const dep = {
    kind: "Deployment", metadata: { name: "web", namespace: "default" }, replicas,
    strategy: { type: "RollingUpdate", maxSurge: pct(25), maxUnavailable: pct(25), minReadyMs: 0, ...strategy },
  } as unknown as Deployment;
  const pods: Pod[] = [];
  const mk = () => {
    const p = new Pod(`web-${pods.length}`, "default", "web", {}, {}, "default", false, `10.0.0.${pods.length + 1}`);
    pods.push(p);
    return p;
  };
  for (let i = 0; i < replicas; i++) mk();
  const samples: { t: number; replicas: number; available: number }[] = [];
  const events: string[] = [];
  let rollouts!: DeploymentRollouts;
  const minReady = rollouts === undefined ? (strategy.minReadyMs ?? 0) : 0;
  const sample = () => {
    const live = pods.filter((p) => p.alive && !p.terminating);
    samples.push({ t: sim.now, replicas: live.length, available: live.filter((p) => p.ready && sim.now - p.readySinceMs >= minReady).length });
  };
  const kReady = sim.on((p: Pod) => {
    if (p.terminating) return;
    p.ready = true;
    p.readySinceMs = sim.now;
    sample();
    rollouts.podsChanged();
  });
  const kSample = sim.on(() => sample());
  const kDie = sim.on((p: Pod) => { p.alive = false; sample(); });
  rollouts = new DeploymentRollouts({
    sim,
    telemetry: { event: (t, kind) => events.push(`${kind}@${t}`) },
    podsOf: () => pods,
    addPod: () => {
      const p = mk();
      p.ready = false;
      sim.after(readyAfterMs, kReady, p);
      return p;
    },
    terminate: (p) => {
      p.terminating = true;
      p.ready = false;
      sim.after(p.terminationGracePeriodMs, kDie, p);
    },
    podsChanged: () => { sample(); rollouts.podsChanged(); },
    stream: (name) => rng.stream(name),
  });
  for (let t = 0; t <= 120_000; t += 500) sim.at(t, kSample);
  return { sim, dep, pods, samples, events, rollouts };
}

describe("a rolling update", () => {
  it("4 replicas, 25 %/25 %: never more than 5 pods, never fewer than 3 available, all replaced", () => {
    const c = cluster(4, {}, 5000);
    c.rollouts.restart(c.dep);
    c.sim.run(120_000);
    expect(Math.max(...c.samples.map((s) => s.replicas))).toBe(5);
    expect(Math.min(...c.samples.map((s) => s.available))).toBe(3);
    const live = c.pods.filter((p) => !p.terminating);
    expect(live.map((p) => p.name)).toEqual(["web-4", "web-5", "web-6", "web-7"]);
    // Two new pods at once (surge 1 + the old pod the unavailable budget frees), then two more when they
    // are available: two waves of 5 s.
    expect(c.events).toEqual(["rolloutComplete@10000"]);
  });

  it("maxSurge 0, maxUnavailable 1: one pod at a time, never more than the replicas", () => {
    const c = cluster(3, { maxSurge: abs(0), maxUnavailable: abs(1) }, 2000);
    c.rollouts.restart(c.dep);
    c.sim.run(120_000);
    expect(Math.max(...c.samples.map((s) => s.replicas))).toBe(3);
    expect(Math.min(...c.samples.map((s) => s.available))).toBe(2);
    expect(c.events).toEqual(["rolloutComplete@6000"]);
  });

  it("maxSurge 100 %, maxUnavailable 0: the new pods all start at once, the old ones go when they are available", () => {
    const c = cluster(3, { maxSurge: pct(100), maxUnavailable: abs(0) }, 2000);
    c.rollouts.restart(c.dep);
    c.sim.run(120_000);
    expect(Math.max(...c.samples.map((s) => s.replicas))).toBe(6);
    expect(Math.min(...c.samples.map((s) => s.available))).toBe(3);
    expect(c.events).toEqual(["rolloutComplete@2000"]);
  });

  it("Recreate: every old pod goes, and the new ones start only once the old ones have stopped (30 s grace)", () => {
    const c = cluster(3, { type: "Recreate" }, 2000);
    c.rollouts.restart(c.dep);
    c.sim.run(120_000);
    expect(Math.max(...c.samples.map((s) => s.replicas))).toBe(3);
    expect(c.samples.filter((s) => s.t > 0 && s.t < 32_000).every((s) => s.available === 0)).toBe(true);
    expect(c.pods.filter((p) => !p.terminating).map((p) => p.name)).toEqual(["web-3", "web-4", "web-5"]);
    expect(c.events).toEqual(["rolloutComplete@32000"]);
  });

  it("minReadySeconds: a Ready pod counts as available only that much later", () => {
    const c = cluster(3, { maxSurge: abs(1), maxUnavailable: abs(0), minReadyMs: 3000 }, 2000);
    c.rollouts.restart(c.dep);
    c.sim.run(120_000);
    // One new pod at a time: Ready after 2 s, available 3 s later ⇒ 5 s a pod.
    expect(c.events).toEqual(["rolloutComplete@15000"]);
    expect(Math.max(...c.samples.map((s) => s.replicas))).toBe(4);
  });
});

describe("the shipped rolling-update scenario", () => {
  it("replaces 4 pods in two waves of 2 (9 s each), drains the old ones, and no request fails", async () => {
    const { loadScenario } = await import("../../src/scenario/index.js");
    const path = await import("node:path");
    const s = runScenario(loadScenario(path.resolve(import.meta.dirname, "../../scenarios/resilience/rolling-update.yaml"))).summary;
    const ev = s.events.filter((e) => ["ready", "proxyExited", "rolloutComplete"].includes(e.kind)).map((e) => `${e.kind}:${e.detail["pod"] ?? e.detail["deployment"]}@${e.t}`);
    // One old pod goes at 20 s (its sidecar exits at 25 s), two when the first wave is Ready at 29 s,
    // the last when the second is Ready at 38 s.
    expect(ev.filter((e) => e.startsWith("ready"))).toEqual(["ready:web-4@29", "ready:web-5@29", "ready:web-6@38", "ready:web-7@38"]);
    expect(ev.filter((e) => e.startsWith("proxyExited")).map((e) => e.split("@")[1])).toEqual(["25", "34", "34", "43"]);
    expect(ev).toContain("rolloutComplete:web@38");
    expect(s.clients["users"]!.errorRate).toBe(0);
    for (const p of ["web-4", "web-5", "web-6", "web-7"]) expect(s.pods[p]!.requests).toBeGreaterThan(0);
  });
});

describe("reading a rollout", () => {
  const sim = (timeline: string, strategy = "") => `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: r}
spec:
  duration: 10s
  timeline:
${timeline}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:${strategy}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: x}]}
`;
  it("reads spec.strategy and minReadySeconds with apps/v1 defaults, and the timeline's rollout", () => {
    const plain = scenarioFrom(sim("  - at: 1s\n    rollout: {deployment: web}"));
    expect(plain.deployments[0]!.strategy).toEqual({ type: "RollingUpdate", maxSurge: pct(25), maxUnavailable: pct(25), minReadyMs: 0 });
    expect(plain.simulation.timeline[0]!.action).toEqual({ kind: "rollout", deployment: "web", namespace: "default" });
    const set = scenarioFrom(sim("    []", "\n  minReadySeconds: 4\n  strategy: {rollingUpdate: {maxSurge: 2, maxUnavailable: \"50%\"}}"));
    expect(set.deployments[0]!.strategy).toEqual({ type: "RollingUpdate", maxSurge: abs(2), maxUnavailable: pct(50), minReadyMs: 4000 });
  });

  it("rejects what apps/v1 validation rejects, naming the field", () => {
    expect(() => scenarioFrom(sim("    []", "\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}"))).toThrow(/strategy\.rollingUpdate\.maxUnavailable: may not be 0 when `maxSurge` is 0/);
    expect(() => scenarioFrom(sim("    []", "\n  strategy: {rollingUpdate: {maxUnavailable: \"150%\"}}"))).toThrow(/maxUnavailable: must not be greater than 100%/);
    expect(() => scenarioFrom(sim("    []", "\n  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}"))).toThrow(/rollingUpdate: may not be specified when strategy `type` is 'Recreate'/);
    expect(() => scenarioFrom(sim("  - at: 1s\n    rollout: {deployment: nope}"))).toThrow(/no Deployment "nope"/);
  });
});
