// Istio's sample apps as the security tasks set them up, written from the task pages
// (https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#setup): namespaces foo
// and bar with injection, each with httpbin (port 8000 → 8080 as samples/httpbin/httpbin.yaml) and
// sleep; namespace legacy without injection, with sleep only.

export function ns(name: string, injected: boolean): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${name}${injected ? ", labels: {istio-injection: enabled}" : ""}}
`;
}

export function httpbin(namespace: string, extraPodMeta = ""): string {
  return `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: ${namespace}, labels: {app: httpbin}}
spec: {selector: {app: httpbin}, ports: [{name: http, port: 8000, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin, version: v1}${extraPodMeta}}
    spec:
      serviceAccountName: httpbin
      containers: [{name: httpbin, image: mccutchen/go-httpbin, ports: [{containerPort: 8080}]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: httpbin, namespace: ${namespace}}
spec: {selector: {app: httpbin}, serviceTime: 1ms}
`;
}

export function sleep(namespace: string, extraPodMeta = ""): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}${extraPodMeta}}
    spec: {serviceAccountName: sleep, containers: [{name: sleep, image: curlimages/curl}]}
`;
}

/** foo and bar (injected) with httpbin and sleep; legacy (not injected) with sleep. */
export const FOO_BAR_LEGACY = [
  ns("foo", true), ns("bar", true), ns("legacy", false), ns("istio-system", false),
  httpbin("foo"), httpbin("bar"), httpbin("legacy"), sleep("foo"), sleep("bar"), sleep("legacy"),
].join("---\n");

/** A closed-loop client like the tasks' `kubectl exec sleep -- curl`: a few requests, one at a time. */
export function curl(name: string, namespace: string, target: string, opts: { headers?: Record<string, string>; method?: string; start?: string; stop?: string; requests?: number; from?: string } = {}): string {
  const headers = opts.headers === undefined ? "" : `\n  headers: [{fraction: 1, set: ${JSON.stringify(opts.headers)}}]`;
  const method = opts.method === undefined ? "" : `\n  method: ${opts.method}`;
  const window = opts.start === undefined && opts.stop === undefined ? "" : `\n  start: ${opts.start ?? "0s"}${opts.stop === undefined ? "" : `\n  stop: ${opts.stop}`}`;
  return `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  from: ${opts.from ?? "sleep"}
  target: ${target}
  rate: 10${method}${headers}${window}
`;
}

export function simulation(name: string, duration = "2s", extra = ""): string {
  return `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ${name}}
spec:
  seed: 1
  duration: ${duration}
  include: [samples.yaml]${extra}
`;
}
