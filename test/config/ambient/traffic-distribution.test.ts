// Which traffic distribution istiod sends ztunnel for a Service: model.GetTrafficDistribution
// (https://github.com/istio/istio/blob/86c9f01f/pilot/pkg/model/service.go#L841-L885).
import { describe, expect, it } from "vitest";
import { trafficDistributionOf } from "../../../src/config/ambient/traffic-distribution.js";
import type { Namespace, Service } from "../../../src/scenario/model.js";

const A = "networking.istio.io/traffic-distribution";
const svc = (annotations: Record<string, string>, trafficDistribution?: string): Service =>
  ({ kind: "Service", metadata: { name: "reviews", namespace: "bookinfo", labels: {}, annotations }, ports: [], selector: {}, ...(trafficDistribution !== undefined ? { trafficDistribution } : {}) }) as unknown as Service;
const ns = (annotations: Record<string, string>): Namespace[] =>
  [{ kind: "Namespace", metadata: { name: "bookinfo", labels: {}, annotations } } as unknown as Namespace];

describe("trafficDistributionOf", () => {
  it("spec first, then the Service's annotation, then the Namespace's", () => {
    expect(trafficDistributionOf(svc({ [A]: "PreferSameNode" }, "PreferClose"), ns({}))).toBe("PreferClose");
    expect(trafficDistributionOf(svc({ [A]: "PreferSameNode" }), ns({ [A]: "PreferClose" }))).toBe("PreferSameNode");
    expect(trafficDistributionOf(svc({}), ns({ [A]: "PreferSameZone" }))).toBe("PreferSameZone");
    expect(trafficDistributionOf(svc({}), ns({}))).toBeUndefined();
  });
  it("reads annotations case-insensitively (strings.ToLower in GetTrafficDistribution)", () => {
    expect(trafficDistributionOf(svc({ [A]: "preferclose" }), ns({}))).toBe("PreferClose");
    expect(trafficDistributionOf(svc({}), ns({ [A]: "PREFERSAMENODE" }))).toBe("PreferSameNode");
  });
  it("an unknown spec value falls through to the annotations; an unknown Service annotation is 'any' and stops there", () => {
    expect(trafficDistributionOf(svc({ [A]: "PreferSameNode" }, "Nearby"), ns({}))).toBe("PreferSameNode");
    expect(trafficDistributionOf(svc({ [A]: "nearby" }), ns({ [A]: "PreferClose" }))).toBe("Any");
  });
});
