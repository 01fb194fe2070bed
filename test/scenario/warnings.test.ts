import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/scenario/index.js";
import { SIM, load } from "./scenario-files.js";

function warnings(files: Record<string, string>): string[] {
  return load(files).warnings.map((w) => formatDiagnostic(w).replace(/^.*\/(?=[^/]*:\d+:\d+:)/, ""));
}

describe("warnings", () => {
  it("an unknown kind is ignored with a warning naming file, line and column", () => {
    const s = load({ "main.yaml": `${SIM}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n` });
    expect(s.warnings).toHaveLength(1);
    expect(formatDiagnostic(s.warnings[0]!)).toMatch(/main\.yaml:6:7: warning: kind: unknown kind "ConfigMap" \(apiVersion "v1"\); ignored$/);
  });

  it("a known kind from another group is unknown too", () => {
    expect(warnings({ "main.yaml": `${SIM}---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: c}\n` })).toEqual([
      'main.yaml:6:7: warning: kind: unknown kind "Service" (apiVersion "serving.knative.dev/v1"); ignored',
    ]);
  });

  it("an unknown field in a known kind warns at the key, with its path", () => {
    expect(warnings({
      "main.yaml": `${SIM}spec:
  seeed: 3
  mesh:
    proxy: {latncy: 1ms}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: v}
spec:
  hosts: [a.example.com]
  http:
  - route: [{destination: {host: a.example.com}}]
    timout: 1s
`,
    })).toEqual([
      "main.yaml:5:3: warning: spec.seeed: unknown field; ignored",
      "main.yaml:7:13: warning: spec.mesh.proxy.latncy: unknown field; ignored",
      "main.yaml:16:5: warning: spec.http[0].timout: unknown field; ignored",
    ]);
  });

  it("real Kubernetes fields meshsim does not simulate are accepted silently", () => {
    expect(warnings({
      "main.yaml": `${SIM}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, uid: x, annotations: {a: b}}
spec:
  strategy: {type: RollingUpdate}
  template:
    metadata: {labels: {app: d}}
    spec:
      securityContext: {runAsUser: 1000}
      containers:
      - name: c
        image: nginx
        imagePullPolicy: IfNotPresent
        resources: {limits: {cpu: 100m}}
        readinessProbe: {httpGet: {path: /, port: 80}}
        ports: [{containerPort: 80, protocol: TCP}]
status: {replicas: 1}
`,
    })).toEqual([]);
  });

  it("a Workload that selects no Deployment warns", () => {
    expect(warnings({ "main.yaml": `${SIM}---\napiVersion: meshsim.dev/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec:\n  selector: {app: nothing}\n` })).toEqual([
      'main.yaml:9:13: warning: spec.selector: selects no Deployment in namespace "default"; the Workload has no effect',
    ]);
  });

  it("a glob that matches nothing warns", () => {
    expect(warnings({ "main.yaml": `${SIM}spec:\n  include: ["none/*.yaml"]\n` })).toEqual([
      'main.yaml:5:13: warning: spec.include[0]: "none/*.yaml" matches no files',
    ]);
  });
});

describe("mesh modes", () => {
  it("ambient runs ztunnels now (issue 16): no warning that it is not modelled", () => {
    expect(warnings({ "main.yaml": `${SIM}spec:\n  mesh: {mode: ambient}\n` })).toEqual([]);
  });
});
