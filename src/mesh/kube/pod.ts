// A pod: one replica of a Deployment, with its app and (when injected) its sidecar. Names are
// deterministic, `<deployment>-<index>`, and so are IPs, so reports and seeds are reproducible.
import type { SidecarCpu } from "../sidecar/sidecar-cpu.js";
import { peerIdentity, type PeerIdentity } from "../../proxy/security/identity.js";
import type { AppServer } from "../app/app-server.js";
import type { Sidecar } from "../sidecar/sidecar.js";
import type { ContainerCpu } from "./container-cpu.js";
import type { OriginPod } from "../transport.js";

export class Pod implements OriginPod {
  /** Running: accepts connections. A killed or terminated pod is not alive. */
  alive = true;
  /** Ready: listed as an endpoint of the services that select it. */
  ready = true;
  /** Its app listens (false while it boots or its container is restarting after a crash). */
  appUp = true;
  /** Unreachable (its node vanished): packets to it are dropped, nothing answers or refuses. */
  blackholed = false;
  /** When it became unreachable (ztunnel's HBONE keepalive pings notice it 20–30 s later). */
  blackholedAtMs = Infinity;
  /** status.startTime: when the kubelet started it on its node (-Infinity: running before the run began). */
  startedAtMs = -Infinity;
  /** When it last became Ready (its Ready condition's lastTransitionTime); -Infinity: before the run. */
  readySinceMs = -Infinity;
  /** Being scaled down: it no longer counts as a replica. */
  terminating = false;
  /** It was Ready when it began terminating: its EndpointSlice entry stays `serving` (while its app
   *  listens) with `terminating`, which kube-proxy falls back to when a Service has no ready endpoint. */
  servingWhenTerminated = false;
  /** Its sidecar drains (the pod is terminating): Envoy answers with `Connection: close` (HTTP/1.1)
   *  or GOAWAY (HTTP/2), so callers' sidecars stop reusing their connections to it. */
  draining = false;
  /** ProxyConfig terminationDrainDuration (ms): how long its istio-proxy outlives SIGTERM. */
  terminationDrainMs = 5000;
  /** istio-proxy runs as a Kubernetes native sidecar (it stops only after the app containers). */
  nativeSidecar = false;
  /** Its istio-proxy has exited (terminationDrainDuration after SIGTERM) while its app may still run:
   *  nothing listens on the ports iptables redirects to, so every connection to the pod is refused. */
  proxyExited = false;
  /** Its app container's restarts (after crashes), as `kubectl get pods` counts them. */
  restarts = 0;
  app!: AppServer;
  /** Its istio-proxy (mesh/sidecar/sidecar.ts): what it holds from istiod, its routing, CPU and
   *  interception; a gateway's Envoy too. null: no sidecar injected. */
  proxy: Sidecar | null = null;
  /** Its app container's CPU (mesh/kube/container-cpu.ts). */
  appCpu: ContainerCpu | null = null;
  /** An ingress gateway's Envoy: the "ns/name" of the Gateway whose VirtualServices it routes by. */
  gateway: string | undefined = undefined;
  /** When its workload certificate expires (istiod's CA signs and rotates it); Infinity: never. */
  certNotAfter = Infinity;
  /** Head of the list of requests inside the pod (kept by mesh/sidecar/inbound.ts). */
  inside: object | null = null;
  /** Entries into the pod before its list's head is renewed (mesh/sidecar/inbound.ts); 0 while
   *  `inside` is null. */
  insideEntriesLeft = 0;
  /** The telemetry sinks of requests to it (kept by mesh/edge-sinks.ts). */
  edgeSinks: object | null = null;
  /** Where it runs (mesh/kube/cluster-nodes.ts): its node, its Istio locality "region/zone/subzone",
   *  and why it is Pending when no node fits. All undefined when the scenario has no nodes. */
  node: string | undefined = undefined;
  locality: string | undefined = undefined;
  pending: string | undefined = undefined;
  /** In the ambient data plane (istio.io/dataplane-mode): its traffic goes through its node's ztunnel
   *  (mesh/ztunnel/). Changes without a restart when the label is applied on the timeline. */
  ambient = false;
  /** A proxy of the ambient data plane itself (a node's ztunnel, mesh/ztunnel/), not an application
   *  pod: its worker threads and CPU. */
  ambientProxy: { readonly kind: "ztunnel"; readonly cpu: SidecarCpu } | undefined = undefined;

  /**
   * How reports and commands name it: istioctl's `POD.NAMESPACE`, or the bare name in the default
   * namespace (so two Deployments of one name in two namespaces stay apart).
   */
  get id(): string {
    return this.namespace === "default" ? this.name : `${this.name}.${this.namespace}`;
  }

  /** The identity in its workload certificate (SPIFFE ID from namespace and service account). */
  get identity(): PeerIdentity {
    return (this.cachedIdentity ??= peerIdentity(this.namespace, this.serviceAccount));
  }
  private cachedIdentity: PeerIdentity | undefined;

  /** Its sidecar is connected to istiod (xDS): it exists and is running. */
  get connected(): boolean {
    return this.alive && this.hasSidecar && !this.proxyExited;
  }

  /** Connections to it are accepted: the pod runs and, when injected, its Envoy too. */
  get listening(): boolean {
    // `=== true`: one compare on the request path (Inbound.toApp, DirectLeg.arrive), not V8's generic
    // truth test of a field it does not know to be a boolean, ≈ 10 instructions on a true one
    // (docs/performance.md, Goal 3, left19).
    return this.alive === true && this.proxyExited !== true;
  }

  constructor(
    readonly name: string,
    readonly namespace: string,
    /** Istio's workload name: the Deployment's name. */
    readonly workload: string,
    readonly labels: Readonly<Record<string, string>>,
    readonly annotations: Readonly<Record<string, string>>,
    readonly serviceAccount: string,
    readonly hasSidecar: boolean,
    readonly ip: string,
    /** spec.terminationGracePeriodSeconds, in ms (Kubernetes default 30 s). */
    readonly terminationGracePeriodMs = 30_000,
  ) {}
}

/** Pod IPs from 10.0.0.0/8 in creation order: 10.0.0.1, 10.0.0.2, ... */
export function podIp(index: number): string {
  const n = index + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Whether every label of the selector is on the pod (a Kubernetes equality-based selector). */
export function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}
