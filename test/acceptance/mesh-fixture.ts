// A minimal mesh for the Envoy-semantics checks: a `client` pod (with its sidecar, where routing,
// retries, load balancing and outlier detection happen) calling Service `server` on port 8080,
// backed by one or more Deployments of `app: server`.

export interface ServerDeployment {
  name: string;
  replicas?: number;
  version?: string;
  /** Workload spec fields (YAML flow), e.g. `serviceTime: 5ms, errorRate: 1`. */
  behaviour: string;
}

export function mesh(o: {
  name: string;
  duration: string;
  warmup?: string;
  seed?: number;
  servers: ServerDeployment[];
  /** The client's load: LoadGenerator spec fields (YAML flow) besides from/target. */
  load: string;
  /** Istio resources and extra documents, as YAML. */
  istio?: string;
  /** Extra Simulation spec lines (indented two spaces), e.g. a timeline. */
  spec?: string;
  path?: string;
}): string {
  const servers = o.servers
    .map(
      (d) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${d.name}}
spec:
  replicas: ${d.replicas ?? 1}
  template:
    metadata: {labels: {app: server, version: ${d.version ?? "v1"}, deployment: ${d.name}}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: ${d.name}}
spec: {selector: {deployment: ${d.name}}, ${d.behaviour.includes("concurrency") ? "" : "concurrency: 1000, "}${d.behaviour}}
`,
    )
    .join("---\n");
  return `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ${o.name}}
spec:
  seed: ${o.seed ?? 3}
  duration: ${o.duration}
  warmup: ${o.warmup ?? "0s"}
${o.spec ?? ""}
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec: {selector: {app: server}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: c}]}
---
${servers}---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: client}
spec: {from: client, target: "http://server:8080${o.path ?? "/"}", ${o.load}}
${o.istio ? `---\n${o.istio}` : ""}`;
}

export function sumPods(pods: Record<string, { requests: number }>, prefix: string): number {
  let n = 0;
  for (const [name, p] of Object.entries(pods)) if (name.startsWith(prefix)) n += p.requests;
  return n;
}
