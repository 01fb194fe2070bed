// The smallest mesh for driving one client sidecar by hand: a `backend` Service (port 8080) with its
// Deployment and Workload, a `client` Deployment with no Workload, and the test's Istio documents; and
// a sender that hands requests to the client's sidecar as its app would, so a test can watch the
// router and the pool request by request.
import type { Router } from "../../src/mesh/sidecar/router.js";
import { originOf } from "../../src/mesh/kube/pod-origin.js";
import { targetOf } from "../../src/cli/inspect-commands.js";
import { parseCallUrl } from "../../src/scenario/index.js";
import type { createWorld } from "../../src/runner/run-scenario.js";

export interface ClientAndBackend {
  name: string;
  /** The Simulation's spec, as a flow mapping's body (`duration: 1s`) or a block. */
  spec: string;
  /** The backend Workload's spec fields after its selector (`serviceTime: {...}`). */
  backend: string;
  replicas?: number;
  portName?: string;
  /** Istio documents (DestinationRule, VirtualService ...), `---`-separated. */
  istio: string;
}

export function clientAndBackendYaml(o: ClientAndBackend): string {
  const spec = o.spec.includes("\n") ? `spec:\n${o.spec}` : `spec: {${o.spec}}`;
  return `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ${o.name}}
${spec}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {ports: [{name: ${o.portName ?? "http"}, port: 8080}], selector: {app: backend}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: ${o.replicas ?? 1}
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec: {containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec: {selector: {app: backend}, ${o.backend}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: example/client}]}
---
${o.istio}
`;
}

type World = ReturnType<typeof createWorld>["world"];

/**
 * Sends `GET http://backend:8080/` from the client pod through its sidecar; `conn` is the downstream
 * connection (-1: none pinned). Returns the sidecar's router for the request.
 */
export function clientSender(world: World): (onResponse: (status: number, flags: string) => void, conn?: number) => Router {
  const client = [...world.pods.values()].find((p) => p.workload === "client")!;
  const target = targetOf(world, client, parseCallUrl("http://backend:8080/"));
  return (onResponse, conn = -1) =>
    world.sidecars.send(originOf(client), { method: "GET", scheme: "http", authority: "backend:8080", path: "/", headers: {}, target }, { onResponse }, conn) as Router;
}
