import { describe, expect, it } from "vitest";
import { analyzeTimeline } from "../../src/config/analyze-timeline.js";
import { formatMessage } from "../../src/config/analyze.js";
import { load } from "../scenario/scenario-files.js";

const sim = (nodes: string, dr: string) => ({ "main.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: t}
spec:
${nodes}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec:
  host: web
  trafficPolicy:
${dr}` });
const ZONES = "  nodes: [{region: r, zone: a}, {region: r, zone: b}]\n";

describe("locality analyzers", () => {
  it("MSH0130: outlier detection alone turns locality failover on (only said when pods span zones)", () => {
    const od = "    outlierDetection: {consecutive5xxErrors: 5}\n";
    expect(analyzeTimeline(load(sim(ZONES, od))).map((m) => m.message.code)).toEqual(["MSH0130"]);
    expect(analyzeTimeline(load(sim("  seed: 1\n", od)))).toEqual([]);
    const off = `${od}    loadBalancer: {localityLbSetting: {enabled: false}}\n`;
    expect(analyzeTimeline(load(sim(ZONES, off)))).toEqual([]);
  });
  it("MSH0131: failover without outlier detection does nothing", () => {
    const m = analyzeTimeline(load(sim(ZONES, "    loadBalancer: {localityLbSetting: {failover: [{from: r, to: s}]}}\n")));
    expect(m.map((x) => formatMessage(x.message))).toEqual([
      "Warning [MSH0131] (DestinationRule web.default) localityLbSetting failover/failoverPriority has no effect without outlierDetection (istiod applies failover priorities only with outlier detection)",
    ]);
  });
});
