// Sidecar injection made visible (issue 20, item 2): istioctl analyze's IST0102/IST0148, the run's
// line about uninjected namespaces, and spec.mesh.injection.enableNamespacesByDefault.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadScenario } from "../../src/scenario/index.js";
import { analyzeInjection, uninjectedNamespaces } from "../../src/config/namespace-injection.js";
import { injectsSidecar } from "../../src/mesh/kube/sidecar-injection.js";
import { SIM, writeScenario } from "../scenario/scenario-files.js";

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

function load(mesh: string, docs: string) {
  const dir = writeScenario({ "sim.yaml": `${SIM}spec: {duration: 10s${mesh ? `, mesh: ${mesh}` : ""}}\n${docs}` });
  return loadScenario(join(dir, "sim.yaml"));
}

function sidecars(s: ReturnType<typeof load>): string[] {
  return s.deployments.filter((d) => injectsSidecar(s.simulation.mesh, d, s.namespaces)).map((d) => `${d.metadata.namespace}/${d.metadata.name}`);
}

describe("without Namespace documents every namespace is injected, and nothing is reported", () => {
  const s = load("", DEP("a", "default") + DEP("b", "shop"));
  it("both deployments get sidecars", () => expect(sidecars(s)).toEqual(["default/a", "shop/b"]));
  it("no IST0102 and no run line", () => {
    expect(analyzeInjection(s)).toEqual([]);
    expect(uninjectedNamespaces(s)).toEqual([]);
  });
});

describe("with one Namespace document, only labelled namespaces are injected, and that is said", () => {
  const s = load("", NS("shop", "istio-injection: enabled") + NS("empty") + DEP("a", "default") + DEP("b", "shop") + DEP("c", "billing", ", sidecar.istio.io/inject: \"true\""));
  it("only shop's deployment and the pod labelled inject=true get sidecars", () => expect(sidecars(s)).toEqual(["shop/b", "billing/c"]));
  it("IST0102, Istio's text, for the unlabelled Namespace document and for default (which has workloads but no document)", () => {
    const m = analyzeInjection(s);
    expect(m.map((x) => `${x.level} ${x.code} ${x.resource}`)).toEqual(["Info IST0102 Namespace empty", "Info IST0102 Namespace default", "Info IST0102 Namespace billing"]);
    expect(m[1]!.message).toBe("The namespace is not enabled for Istio injection. Run 'kubectl label namespace default istio-injection=enabled' to enable it, or 'kubectl label namespace default istio-injection=disabled' to explicitly mark it as not needing injection.");
  });
  it("the run names default as a namespace whose workloads run without sidecars (billing has an injected pod)", () => {
    expect(uninjectedNamespaces(s)).toEqual([{ namespace: "default", deployments: 1, why: "the scenario has Namespace documents but none for it, so it is unlabelled" }]);
  });
});

describe("spec.mesh.injection.enableNamespacesByDefault chooses", () => {
  it("true: every namespace not labelled disabled is injected, even with Namespace documents; IST0148 instead of IST0102", () => {
    const s = load("{injection: {enableNamespacesByDefault: true}}", NS("off", "istio-injection: disabled") + NS("plain") + DEP("a", "plain") + DEP("b", "off") + DEP("c", "default"));
    expect(sidecars(s)).toEqual(["plain/a", "default/c"]);
    expect(analyzeInjection(s).map((x) => `${x.code} ${x.resource}`)).toEqual(["IST0148 Namespace plain", "IST0148 Namespace default"]);
    expect(uninjectedNamespaces(s)).toEqual([{ namespace: "off", deployments: 1, why: "it is labelled istio-injection=disabled" }]);
  });

  it("false: Istio's default install — without labels nothing is injected, even without Namespace documents", () => {
    const s = load("{injection: {enableNamespacesByDefault: false}}", DEP("a", "default"));
    expect(sidecars(s)).toEqual([]);
    expect(analyzeInjection(s).map((x) => `${x.code} ${x.resource}`)).toEqual(["IST0102 Namespace default"]);
    expect(uninjectedNamespaces(s)[0]!.why).toContain("enableNamespacesByDefault is false");
  });

  it("a value that is not a boolean is an error", () => {
    expect(() => load("{injection: {enableNamespacesByDefault: yes-please}}", "")).toThrow(/spec\.mesh\.injection\.enableNamespacesByDefault: expected true or false/);
  });
});
