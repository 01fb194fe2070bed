// compare-modes' three scenarios (issue 16, item 3): the mode override, the migration of injected
// namespaces to ambient, and findings that are the difference of two analyses (nothing hard-coded).
import { describe, expect, it } from "vitest";
import { ambientFindings, loadMeshModes } from "../../src/runner/mesh-mode-runs.js";
import { deploymentDataplaneMode } from "../../src/config/ambient/dataplane-mode.js";
import { writeScenario } from "../support/scenario-text.js";

const SCENARIO = (extra: string) => `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: m}
spec: {duration: 10s, mesh: {mode: sidecar}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled, team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy, labels: {istio-injection: disabled}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: w, image: w}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: old, namespace: legacy}
spec:
  selector: {matchLabels: {app: old}}
  template: {metadata: {labels: {app: old}}, spec: {containers: [{name: o, image: o}]}}
${extra}`;

describe("loadMeshModes", () => {
  const file = writeScenario({ "s.yaml": SCENARIO("") });
  const m = loadMeshModes(file, [], {});
  const byMode = Object.fromEntries(m.modes.map((x) => [x.mode, x.scenario]));
  it("one scenario per mode, in the order none, sidecar, ambient", () => {
    expect(m.modes.map((x) => [x.mode, x.scenario.simulation.mesh.mode])).toEqual([["none", "none"], ["sidecar", "sidecar"], ["ambient", "ambient"]]);
  });
  it("the ambient run relabels injected namespaces, keeps their other labels, leaves disabled ones alone", () => {
    const shop = byMode.ambient!.namespaces.find((n) => n.metadata.name === "shop")!;
    expect(shop.metadata.labels).toEqual({ team: "a", "istio.io/dataplane-mode": "ambient" });
    expect(m.migration).toEqual(["namespace shop: istio-injection=enabled replaced by istio.io/dataplane-mode=ambient"]);
    const modes = (s: typeof byMode.ambient) => s!.deployments.map((d) => deploymentDataplaneMode(s!.simulation.mesh, d, s!.namespaces).mode);
    expect(modes(byMode.ambient)).toEqual(["ambient", "none"]);
    expect(modes(byMode.sidecar)).toEqual(["sidecar", "none"]);
  });
});

describe("ambientFindings: what analyze says in ambient and not with sidecars", () => {
  it("a DestinationRule outlier detection on an enrolled Service; nothing without config", () => {
    const plain = loadMeshModes(writeScenario({ "s.yaml": SCENARIO("") }), [], {});
    const pick = (mm: typeof plain, mode: string) => mm.modes.find((x) => x.mode === mode)!.scenario;
    expect(ambientFindings(pick(plain, "sidecar"), pick(plain, "ambient"))).toEqual([]);
    const dr = "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: web, namespace: shop}\nspec: {host: web, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 2}}}\n";
    const withDr = loadMeshModes(writeScenario({ "s.yaml": SCENARIO(dr) }), [], {});
    expect(withDr.findings.map((f) => `${f.code} ${f.resource}`)).toEqual(["MSH0167 DestinationRule web.shop"]);
  });
});
