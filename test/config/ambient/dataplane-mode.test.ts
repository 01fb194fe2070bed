// Ambient enrolment (issue 16): istio-cni's default enablement selectors and its sidecar opt-out
// (cni/pkg/util/enablement_selector.go; manifests/charts/istio-cni/values.yaml), and the cases of
// https://istio.io/latest/docs/ambient/usage/add-workloads/.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { dataplaneMode, deploymentDataplaneMode } from "../../../src/config/ambient/dataplane-mode.js";
import { loadScenario } from "../../../src/scenario/index.js";
import { SIM, writeScenario } from "../../scenario/scenario-files.js";

const AMBIENT = { "istio.io/dataplane-mode": "ambient" };
const NONE = { "istio.io/dataplane-mode": "none" };

describe("dataplaneMode: istio-cni's decision for one pod", () => {
  const table: [string, Parameters<typeof dataplaneMode>[0], "ambient" | "sidecar" | "none"][] = [
    ["namespace labelled ambient", { namespaceLabels: AMBIENT, podLabels: {}, hasSidecar: false }, "ambient"],
    ["pod labelled ambient, namespace not", { namespaceLabels: {}, podLabels: AMBIENT, hasSidecar: false }, "ambient"],
    ["pod labelled none opts out of an ambient namespace", { namespaceLabels: AMBIENT, podLabels: NONE, hasSidecar: false }, "none"],
    ["any other pod value leaves the namespace's choice (NotIn [none])", { namespaceLabels: AMBIENT, podLabels: { "istio.io/dataplane-mode": "ambiant" }, hasSidecar: false }, "ambient"],
    ["no label anywhere", { namespaceLabels: {}, podLabels: {}, hasSidecar: false }, "none"],
    ["pod labelled none, namespace not", { namespaceLabels: {}, podLabels: NONE, hasSidecar: false }, "none"],
    ["namespace labelled none, pod ambient: the pod selector alone enrols", { namespaceLabels: NONE, podLabels: AMBIENT, hasSidecar: false }, "ambient"],
    ["a sidecar wins over an ambient namespace", { namespaceLabels: AMBIENT, podLabels: {}, hasSidecar: true }, "sidecar"],
    ["a sidecar wins over an ambient pod label", { namespaceLabels: {}, podLabels: AMBIENT, hasSidecar: true }, "sidecar"],
    ["the injector's status annotation marks a sidecar", { namespaceLabels: AMBIENT, podLabels: {}, podAnnotations: { "sidecar.istio.io/status": "{}" }, hasSidecar: false }, "sidecar"],
    ["host-network pods are never captured", { namespaceLabels: AMBIENT, podLabels: AMBIENT, hasSidecar: false, hostNetwork: true }, "none"],
  ];
  it.each(table)("%s", (_name, input, mode) => expect(dataplaneMode(input).mode).toBe(mode));
  it("says why", () => expect(dataplaneMode({ namespaceLabels: AMBIENT, podLabels: NONE, hasSidecar: false }).reason).toMatch(/opted out/));
});

const DEP = (name: string, ns: string, podLabels = "") => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}${podLabels}}}
    spec: {containers: [{name: app, image: x}]}
`;
const NS = (name: string, labels = "") => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}${labels ? `, labels: {${labels}}` : ""}}\n`;

function modes(mesh: string, docs: string): Record<string, string> {
  const dir = writeScenario({ "sim.yaml": `${SIM}spec: {duration: 10s, mesh: {mode: ${mesh}}}\n${docs}` });
  const s = loadScenario(join(dir, "sim.yaml"));
  return Object.fromEntries(s.deployments.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, deploymentDataplaneMode(s.simulation.mesh, d, s.namespaces).mode]));
}

describe("deploymentDataplaneMode: the scenario's install decides first", () => {
  it("ambient install: namespace label, pod opt-out, sidecar-injected namespace, unlabelled namespace", () => {
    expect(modes("ambient",
      NS("shop", "istio.io/dataplane-mode: ambient") + NS("legacy", "istio-injection: enabled") + NS("plain")
      + DEP("a", "shop") + DEP("b", "shop", ", istio.io/dataplane-mode: none") + DEP("c", "legacy") + DEP("d", "plain")
      + DEP("e", "plain", ", istio.io/dataplane-mode: ambient") + DEP("f", "shop", ", sidecar.istio.io/inject: 'true'"),
    )).toEqual({ "shop/a": "ambient", "shop/b": "none", "legacy/c": "sidecar", "plain/d": "none", "plain/e": "ambient", "shop/f": "sidecar" });
  });
  it("ambient install without Namespace documents: every namespace counts as labelled ambient", () => {
    expect(modes("ambient", DEP("a", "default") + DEP("b", "shop", ", istio.io/dataplane-mode: none"))).toEqual({ "default/a": "ambient", "shop/b": "none" });
  });
  it("sidecar install: ambient labels are not read (no istio-cni ambient redirection)", () => {
    expect(modes("sidecar", NS("shop", "istio.io/dataplane-mode: ambient") + DEP("a", "shop"))).toEqual({ "shop/a": "none" });
    expect(modes("sidecar", DEP("a", "default"))).toEqual({ "default/a": "sidecar" });
  });
  it("no mesh: none", () => expect(modes("none", NS("shop", "istio.io/dataplane-mode: ambient") + DEP("a", "shop"))).toEqual({ "shop/a": "none" }));
});
