// The HPA's stabilisation and scale-rate rules (kubernetes horizontal.go, unchanged from 1.27 to 1.35),
// checked on the documented examples: https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/#configurable-scaling-behavior
// and, where the docs and the source disagree, on the source (docs/autoscaling.md "Checked against the source").
import { describe, expect, it } from "vitest";
import { HpaScalingState, scaleDownLimit, scaleUpLimit } from "../../src/mesh/kube/hpa-scaling-rules.js";
import { DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP } from "../../src/scenario/kinds/horizontal-pod-autoscaler.js";
import type { HpaScalingRules } from "../../src/scenario/model.js";

const rules = (r: Partial<HpaScalingRules>, base: HpaScalingRules): HpaScalingRules => ({ ...base, ...r });

describe("scale-rate policies", () => {
  it("the default scale-up allows the larger of +4 pods and +100 % per 15 s", () => {
    expect(scaleUpLimit(3, [], [], DEFAULT_SCALE_UP, 0)).toBe(7);
    expect(scaleUpLimit(10, [], [], DEFAULT_SCALE_UP, 0)).toBe(20);
  });
  it("selectPolicy Min picks the smaller change, Disabled none", () => {
    expect(scaleUpLimit(10, [], [], rules({ selectPolicy: "Min" }, DEFAULT_SCALE_UP), 0)).toBe(14);
    expect(scaleUpLimit(10, [], [], rules({ selectPolicy: "Disabled" }, DEFAULT_SCALE_UP), 0)).toBe(10);
    expect(scaleDownLimit(10, [], [], rules({ selectPolicy: "Disabled" }, DEFAULT_SCALE_DOWN), 0)).toBe(10);
  });
  it("the documented scale-down example: Pods 4 and Percent 10 per minute from 80 replicas remove 8, then 8 from 72", () => {
    const r = rules({ policies: [{ type: "Pods", value: 4, periodSeconds: 60 }, { type: "Percent", value: 10, periodSeconds: 60 }] }, DEFAULT_SCALE_DOWN);
    expect(scaleDownLimit(80, [], [], r, 0)).toBe(72);
    // int32(72 × 0.9) = 64: the Percent policy still allows the larger change; below 40 Pods wins.
    expect(scaleDownLimit(72, [], [], r, 0)).toBe(64);
    expect(scaleDownLimit(30, [], [], r, 0)).toBe(26);
  });
  it("Percent rounds up on the way up, down on the way down", () => {
    const up = rules({ policies: [{ type: "Percent", value: 10, periodSeconds: 60 }] }, DEFAULT_SCALE_UP);
    expect(scaleUpLimit(3, [], [], up, 0)).toBe(4);
    const down = rules({ policies: [{ type: "Percent", value: 10, periodSeconds: 60 }] }, DEFAULT_SCALE_DOWN);
    expect(scaleDownLimit(3, [], [], down, 0)).toBe(2);
  });
});

describe("HpaScalingState with a behavior", () => {
  const behavior = (up: Partial<HpaScalingRules>, down: Partial<HpaScalingRules>) => ({ scaleUp: rules(up, DEFAULT_SCALE_UP), scaleDown: rules(down, DEFAULT_SCALE_DOWN) });

  it("a policy's period counts the replicas already added in it: +4 per minute allows one step a minute", () => {
    const s = new HpaScalingState(behavior({ policies: [{ type: "Pods", value: 4, periodSeconds: 60 }] }, {}));
    s.recordInitial(5, 0);
    const a = s.normalize(5, 20, 1, 50, 0);
    expect(a.replicas).toBe(9);
    expect(a.scalingLimited).toMatchObject({ status: "True", reason: "ScaleUpLimit" });
    s.stored(5, 9, 0);
    // 15 s later the period began at 5 pods: nothing more until the event leaves the minute.
    expect(s.normalize(9, 20, 1, 50, 15_000).replicas).toBe(9);
    expect(s.normalize(9, 20, 1, 50, 59_000).replicas).toBe(9);
    expect(s.normalize(9, 20, 1, 50, 61_000).replicas).toBe(13);
  });

  it("scaleDown's stabilisation window applies the highest recommendation of the window", () => {
    const s = new HpaScalingState(behavior({}, { stabilizationWindowSeconds: 300 }));
    s.recordInitial(10, 0);
    expect(s.normalize(10, 10, 1, 20, 0).replicas).toBe(10);
    const held = s.normalize(10, 3, 1, 20, 15_000);
    expect(held.replicas).toBe(10);
    expect(held.ableToScale).toMatchObject({ status: "True", reason: "ScaleDownStabilized" });
    // At 300 s the recommendations of 0 s (10) have left the window (strictly after the cutoff).
    expect(s.normalize(10, 3, 1, 20, 299_000).replicas).toBe(10);
    expect(s.normalize(10, 3, 1, 20, 300_000).replicas).toBe(3);
  });

  it("an unset scaleDown window is the controller's 5 minutes", () => {
    const s = new HpaScalingState(behavior({}, {}));
    s.recordInitial(8, 0);
    expect(s.normalize(8, 2, 1, 20, 285_000).replicas).toBe(8);
    expect(s.normalize(8, 2, 1, 20, 300_000).replicas).toBe(2);
  });

  it("scaleUp's stabilisation window applies the lowest recommendation of the window", () => {
    const s = new HpaScalingState(behavior({ stabilizationWindowSeconds: 60 }, { stabilizationWindowSeconds: 0 }));
    s.recordInitial(4, 0);
    const a = s.normalize(4, 12, 1, 20, 15_000);
    expect(a.replicas).toBe(4);
    expect(a.ableToScale.reason).toBe("ScaleUpStabilized");
    // Out of the window the recommendation of 12 applies, at the default rate (max(+4, +100 %) from 4).
    expect(s.normalize(4, 12, 1, 20, 61_000)).toMatchObject({ replicas: 8, scalingLimited: { reason: "ScaleUpLimit" } });
  });

  it("min and max bound the result with their reasons", () => {
    const s = new HpaScalingState(behavior({}, { stabilizationWindowSeconds: 0 }));
    s.recordInitial(5, 0);
    expect(s.normalize(5, 50, 1, 8, 0)).toMatchObject({ replicas: 8, scalingLimited: { status: "True", reason: "TooManyReplicas" } });
    expect(s.normalize(5, 1, 3, 8, 15_000)).toMatchObject({ replicas: 3, scalingLimited: { status: "True", reason: "TooFewReplicas" } });
  });
});

describe("HpaScalingState without a behavior (the controller's legacy rules)", () => {
  it("scale-up is limited to max(2 × current, 4) per sync and down-scaling waits 5 minutes", () => {
    const s = new HpaScalingState(null);
    s.recordInitial(3, 0);
    expect(s.normalize(3, 30, 1, 40, 0)).toMatchObject({ replicas: 6, scalingLimited: { reason: "ScaleUpLimit" } });
    expect(s.normalize(6, 30, 1, 40, 15_000).replicas).toBe(12);
    // The window's highest recommendation (30) stands, still at most doubling per sync.
    expect(s.normalize(12, 2, 1, 40, 30_000)).toMatchObject({ replicas: 24, ableToScale: { reason: "ScaleDownStabilized" }, scalingLimited: { reason: "ScaleUpLimit" } });
    expect(s.normalize(12, 2, 1, 40, 330_000).replicas).toBe(2);
  });
});

describe("where the docs and horizontal.go disagree, the source", () => {
  it("the scale-down example takes its second step when the first leaves the 60 s period (getReplicasChangePerPeriod), not at the next sync", () => {
    const s = new HpaScalingState({
      scaleUp: DEFAULT_SCALE_UP,
      scaleDown: rules({ stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 4, periodSeconds: 60 }, { type: "Percent", value: 10, periodSeconds: 60 }] }, DEFAULT_SCALE_DOWN),
    });
    s.recordInitial(80, 0);
    expect(s.normalize(80, 10, 1, 100, 0)).toMatchObject({ replicas: 72, scalingLimited: { status: "True", reason: "ScaleDownLimit" } });
    s.stored(80, 72, 0);
    // The docs: "In the next iteration when the number of replicas is 72, 10% of the pods is 7.2 but the
    // number is rounded up to 8". The source: the period still starts at 80 (8 removed within it).
    for (const t of [15_000, 30_000, 45_000]) expect(s.normalize(72, 10, 1, 100, t).replicas).toBe(72);
    // At 60 s the event is no longer after the cutoff: int32(72 × 0.9) = 64.
    expect(s.normalize(72, 10, 1, 100, 60_000).replicas).toBe(64);
  });

  it("without a behavior the legacy limit max(2 × current, 4) applies, not the documented default policies", () => {
    const legacy = new HpaScalingState(null);
    legacy.recordInitial(1, 0);
    expect(legacy.normalize(1, 10, 1, 40, 0).replicas).toBe(4);
    const defaults = new HpaScalingState({ scaleUp: DEFAULT_SCALE_UP, scaleDown: DEFAULT_SCALE_DOWN });
    defaults.recordInitial(1, 0);
    expect(defaults.normalize(1, 10, 1, 40, 0).replicas).toBe(5);
  });

  it("the legacy stabilisation takes the window's highest recommendation even on the way up, unbounded by the current count", () => {
    const legacy = new HpaScalingState(null);
    legacy.recordInitial(2, 0);
    expect(legacy.normalize(2, 10, 1, 40, 0).replicas).toBe(4);
    // 15 s later the metric asks for 5; the recommendation of 10 from 0 s is still in the 5-minute window.
    expect(legacy.normalize(4, 5, 1, 40, 15_000).replicas).toBe(8);
    const defaults = new HpaScalingState({ scaleUp: DEFAULT_SCALE_UP, scaleDown: DEFAULT_SCALE_DOWN });
    defaults.recordInitial(2, 0);
    expect(defaults.normalize(2, 10, 1, 40, 0).replicas).toBe(6);
    defaults.stored(2, 6, 0);
    expect(defaults.normalize(6, 5, 1, 40, 15_000)).toMatchObject({ replicas: 6, ableToScale: { reason: "ScaleDownStabilized" } });
  });
});
