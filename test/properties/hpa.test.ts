// The HorizontalPodAutoscaler's arithmetic stated as properties (kubernetes horizontal.go and
// replica_calculator.go as meshsim models them).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HpaScalingState } from "../../src/mesh/kube/hpa-scaling-rules.js";
import { DEFAULT_CALC, isWithin, resourceReplicas, type PodMetric, type PodView } from "../../src/mesh/kube/replica-calculator.js";
import type { HpaScalingRules } from "../../src/scenario/model.js";

const policyArb = fc.record({ type: fc.constantFrom("Pods" as const, "Percent" as const), value: fc.integer({ min: 1, max: 200 }), periodSeconds: fc.integer({ min: 1, max: 1800 }) });
const rulesArb: fc.Arbitrary<HpaScalingRules> = fc.record({
  stabilizationWindowSeconds: fc.option(fc.integer({ min: 0, max: 3600 }), { nil: null }),
  selectPolicy: fc.constantFrom("Max" as const, "Min" as const, "Disabled" as const),
  policies: fc.array(policyArb, { minLength: 1, maxLength: 3 }),
  tolerance: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
});
const behaviorArb = fc.option(fc.record({ scaleUp: rulesArb, scaleDown: rulesArb }), { nil: null });

const cool = (i: number, requestMilli: number): PodView => ({
  name: `p-${i}`, phase: "Running", deleting: false, ready: true, readyTransitionMs: 0, startMs: 0,
  containers: [{ name: "app", requestMilli }, { name: "istio-proxy", requestMilli: 100 }],
});

describe("HPA properties", () => {
  it("the replica count it sets stays within [minReplicas, maxReplicas] whatever the recommendations, policies and windows", () => {
    fc.assert(
      fc.property(
        behaviorArb, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 40 }),
        fc.array(fc.record({ desired: fc.integer({ min: 0, max: 500 }), dt: fc.integer({ min: 1, max: 120 }) }), { minLength: 1, maxLength: 30 }),
        (behavior, min, span, steps) => {
          const max = min + span;
          const s = new HpaScalingState(behavior);
          let current = min;
          let now = 0;
          s.recordInitial(current, now);
          for (const st of steps) {
            now += st.dt * 1000;
            const n = s.normalize(current, st.desired, min, max, now);
            expect(n.replicas).toBeGreaterThanOrEqual(min);
            expect(n.replicas).toBeLessThanOrEqual(max);
            if (n.replicas !== current) s.stored(current, n.replicas, now);
            current = n.replicas;
          }
        },
      ),
    );
  });

  it("never scales while utilisation is within the 10 % tolerance of the target, and never in the wrong direction", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }), fc.integer({ min: 10, max: 150 }), fc.integer({ min: 50, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 30 }),
        (n, target, requestMilli, usage) => {
          const pods = Array.from({ length: n }, (_, i) => cool(i, requestMilli));
          const metrics = new Map<string, PodMetric>(pods.map((p, i) => [p.name, { value: usage[i % usage.length]!, timestampMs: 1e9, windowMs: 15_000 }]));
          const r = resourceReplicas(n, target, "cpu", "", pods, metrics, 1e9, DEFAULT_CALC);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          const ratio = r.usage / target;
          if (isWithin(DEFAULT_CALC.tolerances, ratio)) expect(r.replicas).toBe(n);
          if (ratio > 1) expect(r.replicas).toBeGreaterThanOrEqual(n);
          if (ratio < 1) expect(r.replicas).toBeLessThanOrEqual(n);
        },
      ),
    );
  });

});
