// The waypoints as ztunnel uses them: which waypoint Service a Service is bound to under the config
// istiod holds (config/ambient/ambient-index.ts: istio.io/use-waypoint on the Service or its
// namespace, a waypoint for `service` or `all` traffic), and the waypoint's Envoy taking a request
// that ztunnel tunnelled to it. The waypoint is a proxy like a sidecar without an app: it routes by
// its own config (VirtualServices and HTTPRoutes for the Service — GAMMA routes with a Service
// parentRef —, DestinationRule policy, retries, timeouts), balances per request over the Service's
// endpoints and sends on over HBONE to the destination's ztunnel. It reports the HTTP metrics with
// reporter="waypoint" and the original client as source (mesh/edge-sinks.ts).
// https://istio.io/latest/docs/ambient/usage/waypoint/
// https://istio.io/latest/docs/ambient/architecture/data-plane/
import type { MeshConfig } from "../../config/mesh-config.js";
import { ambientIndex } from "../../config/ambient/ambient-index.js";
import type { Scenario } from "../../scenario/model.js";
import type { Pod } from "../kube/pod.js";
import type { SidecarPath } from "../sidecar/sidecar-path.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";
import type { WaypointHop } from "../ztunnel/ztunnel-path.js";

export class Waypoints implements WaypointHop {
  private readonly bound = new WeakMap<MeshConfig, Map<string, string>>();
  /** The Origin a waypoint sends a client's requests with: its own pod, the client's identity labels. */
  private readonly origins = new WeakMap<Pod, WeakMap<Origin, Origin>>();

  constructor(
    private readonly scenario: Scenario,
    /** The config istiod holds now (its waypoint bindings reach ztunnel without a modelled delay). */
    private readonly config: () => MeshConfig,
    private readonly sidecars: SidecarPath,
  ) {}

  waypointFor(serviceFqdn: string): string | undefined {
    const config = this.config();
    let map = this.bound.get(config);
    if (map === undefined) {
      map = new Map();
      const s = this.scenario;
      const index = ambientIndex({ mesh: s.simulation.mesh, namespaces: s.namespaces, services: s.services, deployments: s.deployments, gatewayApi: config.gatewayApi });
      for (const [host, svc] of index.services) if (svc.binding.waypoint !== undefined) map.set(host, svc.binding.waypoint.address);
      this.bound.set(config, map);
    }
    return map.get(serviceFqdn);
  }

  arrive(pod: Pod, origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange {
    let byOrigin = this.origins.get(pod);
    if (byOrigin === undefined) this.origins.set(pod, (byOrigin = new WeakMap()));
    let o = byOrigin.get(origin);
    if (o === undefined) byOrigin.set(origin, (o = { pod, workload: origin.workload, namespace: origin.namespace, client: origin.pod }));
    return this.sidecars.send(o, req, responder, conn);
  }
}
