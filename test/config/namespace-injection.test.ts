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

// Issue 19 audit: the injection as Istio's source runs it. The API server calls the webhook only when
// an entry of the MutatingWebhookConfiguration selects the pod by LABELS (namespaceSelector,
// objectSelector: manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml);
// then pkg/kube/inject/inject.go injectRequired decides (label over annotation, only "true"/"false",
// neverInjectSelector, alwaysInjectSelector, the policy), skipping hostNetwork pods and
// initializer.go IgnoredNamespaces.
const DEPX = (name: string, ns: string, o: { labels?: string; annotations?: string; spec?: string } = {}) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}${o.labels ?? ""}}${o.annotations ? `, annotations: {${o.annotations}}` : ""}}
    spec: {containers: [{name: app, image: x}]${o.spec ?? ""}}
`;

describe("the webhook's selectors read labels, the injector reads the label before the annotation (mutatingwebhook.yaml, injectRequired)", () => {
  it("an unlabelled namespace: the annotation inject=\"true\" alone does not inject (no objectSelector matches it); the label does", () => {
    const s = load("{injection: {enableNamespacesByDefault: false}}",
      DEPX("anno", "default", { annotations: "sidecar.istio.io/inject: \"true\"" })
      + DEPX("lbl", "default", { labels: ", sidecar.istio.io/inject: \"true\"" })
      + DEPX("lbl-over-anno", "default", { labels: ", sidecar.istio.io/inject: \"true\"", annotations: "sidecar.istio.io/inject: \"false\"" })
      + DEPX("rev", "default", { labels: ", istio.io/rev: default" }));
    // lbl-over-anno: "if both are present we prefer the label"; rev: the rev.object entry.
    expect(sidecars(s)).toEqual(["default/lbl", "default/lbl-over-anno", "default/rev"]);
  });

  it("an injected namespace: annotation false refuses, a label other than true/false falls back to the namespace's policy", () => {
    const s = load("", NS("shop", "istio-injection: enabled")
      + DEPX("anno-false", "shop", { annotations: "sidecar.istio.io/inject: \"false\"" })
      + DEPX("label-yes", "shop", { labels: ", sidecar.istio.io/inject: \"yes\"", annotations: "sidecar.istio.io/inject: \"false\"" })
      + DEPX("label-true-anno-false", "shop", { labels: ", sidecar.istio.io/inject: \"true\"", annotations: "sidecar.istio.io/inject: \"false\"" }));
    // label-yes: the label wins over the annotation even when invalid, and "yes" means "use the default".
    expect(sidecars(s)).toEqual(["shop/label-yes", "shop/label-true-anno-false"]);
  });

  it("enableNamespacesByDefault: an invalid label value (\"yes\") matches no webhook entry (auto wants no label, object wants \"true\")", () => {
    const s = load("{injection: {enableNamespacesByDefault: true}}",
      DEPX("yes", "default", { labels: ", sidecar.istio.io/inject: \"yes\"" }) + DEPX("plain", "default"));
    expect(sidecars(s)).toEqual(["default/plain"]);
  });

  it("a namespace label istio-injection other than enabled/disabled matches no entry", () => {
    const s = load("{injection: {enableNamespacesByDefault: true}}", NS("odd", "istio-injection: \"true\"") + DEPX("a", "odd"));
    expect(sidecars(s)).toEqual([]);
  });

  it("kube-system and the other ignored namespaces are never injected, even labelled enabled, even with the pod label", () => {
    const s = load("", NS("kube-system", "istio-injection: enabled") + NS("kube-public")
      + DEPX("dns", "kube-system") + DEPX("pub", "kube-public", { labels: ", sidecar.istio.io/inject: \"true\"" }) + DEPX("x", "local-path-storage", { labels: ", sidecar.istio.io/inject: \"true\"" }));
    expect(sidecars(s)).toEqual([]);
  });

  it("a hostNetwork pod is never injected, even when its label asks", () => {
    const s = load("", NS("shop", "istio-injection: enabled")
      + DEPX("host", "shop", { labels: ", sidecar.istio.io/inject: \"true\"", spec: ", hostNetwork: true" }) + DEPX("pod", "shop", { spec: ", hostNetwork: false" }));
    expect(sidecars(s)).toEqual(["shop/pod"]);
    expect(s.deployments[0]!.hostNetwork).toBe(true);
  });
});

describe("neverInjectSelector, alwaysInjectSelector and autoInject (injectRequired's order)", () => {
  const mesh = (x: string) => `{injection: {enableNamespacesByDefault: false${x}}}`;
  it("neverInjectSelector keeps a pod that says nothing out of an injected namespace; its own label inject=true still wins", () => {
    const s = load(mesh(", neverInjectSelector: [{matchExpressions: [{key: openshift.io/build.name, operator: Exists}]}]"),
      NS("shop", "istio-injection: enabled")
      + DEPX("build", "shop", { labels: ", openshift.io/build.name: b1" })
      + DEPX("build-asks", "shop", { labels: ", openshift.io/build.name: b1", annotations: "sidecar.istio.io/inject: \"true\"" })
      + DEPX("app", "shop"));
    expect(sidecars(s)).toEqual(["shop/build-asks", "shop/app"]);
  });

  it("autoInject disabled: only pods that ask (or alwaysInjectSelector picks) are injected in an enabled namespace; an empty selector picks nothing", () => {
    const s = load(mesh(", autoInject: disabled, alwaysInjectSelector: [{matchLabels: {tier: web}}, {}]"),
      NS("shop", "istio-injection: enabled")
      + DEPX("web", "shop", { labels: ", tier: web" }) + DEPX("db", "shop") + DEPX("asks", "shop", { annotations: "sidecar.istio.io/inject: \"true\"" }));
    expect(sidecars(s)).toEqual(["shop/web", "shop/asks"]);
  });

  it("a selector Kubernetes refuses is an input error, and so is an unknown policy", () => {
    expect(() => load(mesh(", neverInjectSelector: [{matchExpressions: [{key: a, operator: In}]}]"), "")).toThrow(/neverInjectSelector.*values set can't be empty/);
    expect(() => load(mesh(", autoInject: maybe"), "")).toThrow(/spec\.mesh\.injection\.autoInject/);
  });
});
