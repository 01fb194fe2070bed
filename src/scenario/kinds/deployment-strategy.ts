// A Deployment's spec.strategy and spec.minReadySeconds, validated as apps/v1 validates them
// (kubernetes pkg/apis/apps/validation/validation.go ValidateDeploymentStrategy,
// ValidateRollingUpdateDeployment): maxSurge and maxUnavailable are counts or percentages, not both
// 0, maxUnavailable at most 100 %; a Recreate strategy has no rollingUpdate.
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
import type { DeploymentStrategy, IntOrPercent } from "../model.js";
import { DEFAULTS } from "../defaults.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";

/** An IntOrString: a whole number ≥ 0, or "N%". */
function intOrPercent(v: YamlValue): IntOrPercent | undefined {
  if (v.isNumber) {
    const n = v.int({ min: 0 });
    return n === undefined ? undefined : { value: n, percent: false };
  }
  const s = v.str();
  if (s === undefined) return undefined;
  const m = /^(\d+)%$/.exec(s);
  if (m === null) return v.error(`must be a whole number or a percentage such as "25%", got ${JSON.stringify(s)}`);
  return { value: Number(m[1]), percent: true };
}

export function readDeploymentStrategy(spec: YamlMap): DeploymentStrategy {
  const d = DEFAULTS.deployment.strategy;
  const minReady = spec.get("minReadySeconds")?.int({ min: 0 });
  const out: DeploymentStrategy = {
    type: d.type, maxSurge: { ...d.maxSurge }, maxUnavailable: { ...d.maxUnavailable }, minReadyMs: (minReady ?? 0) * 1000,
  };
  const sv = spec.get("strategy");
  const sm = sv?.map();
  if (!sm) return out;
  const type = sm.get("type")?.oneOf(["RollingUpdate", "Recreate"] as const);
  if (type !== undefined) out.type = type;
  const ruV = sm.get("rollingUpdate");
  if (ruV !== undefined && out.type === "Recreate") {
    ruV.error("may not be specified when strategy `type` is 'Recreate'");
  } else if (ruV !== undefined) {
    const ru = ruV.map();
    if (ru) {
      const surgeV = ru.get("maxSurge");
      const unavailV = ru.get("maxUnavailable");
      const surge = surgeV ? intOrPercent(surgeV) : undefined;
      const unavail = unavailV ? intOrPercent(unavailV) : undefined;
      if (surge) out.maxSurge = surge;
      if (unavail) {
        if (unavail.percent && unavail.value > 100) unavailV!.error("must not be greater than 100%");
        out.maxUnavailable = unavail;
      }
      if (out.maxSurge.value === 0 && out.maxUnavailable.value === 0) {
        (unavailV ?? surgeV ?? ruV).error("may not be 0 when `maxSurge` is 0");
      }
      ru.done();
    }
  }
  sm.done();
  return out;
}
