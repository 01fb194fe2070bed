// `analyze` messages about locality load balancing, for scenarios whose pods span several zones.
// Istio accepts both configurations; they surprise people:
// - MSH0130 (Info): outlierDetection alone turns locality failover on, because MeshConfig's
//   localityLbSetting is enabled by default — traffic then stays in the client's zone
//   (https://github.com/istio/istio/issues/39477, the tip in istio/istio.io#17324).
// - MSH0131 (Warning): failover or failoverPriority without outlierDetection does nothing (Istio's
//   validation warns "outlier detection policy must be provided for failover").
import type { ObjectMeta } from "../proxy/api/networking.js";
import type { AnalysisMessage } from "./analyze.js";
import type { MeshConfig } from "./mesh-config.js";

function ref(meta: ObjectMeta): string {
  return `DestinationRule ${meta.name}.${meta.namespace}`;
}

export function analyzeLocality(config: MeshConfig, zones: number): AnalysisMessage[] {
  if (zones < 2) return [];
  const out: AnalysisMessage[] = [];
  for (const dr of config.destinationRules) {
    const tp = dr.spec.trafficPolicy;
    const loc = tp?.loadBalancer?.localityLbSetting;
    if (tp?.outlierDetection !== undefined && loc === undefined) {
      out.push({
        level: "Info", code: "MSH0130", resource: ref(dr.metadata),
        message: "outlierDetection turns on locality failover (MeshConfig localityLbSetting.enabled defaults to true): each client's traffic stays in its own zone while it is healthy; set localityLbSetting.enabled: false to opt out",
      });
    }
    if (loc !== undefined && loc.enabled !== false && ((loc.failover?.length ?? 0) > 0 || (loc.failoverPriority?.length ?? 0) > 0) && tp?.outlierDetection === undefined) {
      out.push({
        level: "Warning", code: "MSH0131", resource: ref(dr.metadata),
        message: "localityLbSetting failover/failoverPriority has no effect without outlierDetection (istiod applies failover priorities only with outlier detection)",
      });
    }
  }
  return out;
}
