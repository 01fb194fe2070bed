// The telemetry sinks of ztunnel's TCP edges (reporter source and destination), cached by object
// identity like mesh/edge-sinks.ts. ztunnel knows both ends' workloads from its workload state (WDS),
// which istiod fills with every running pod that has an IP, in the mesh or not
// (istio/istio pilot/pkg/serviceregistry/ambient/workloads.go podWorkloadBuilder), so any pod
// client's labels are filled in; only a client outside the cluster (a load generator) is unknown.
// https://github.com/istio/ztunnel/blob/62d82653/src/proxy/metrics.rs
import { peerLabels } from "../edge-sinks.js";
import type { MeshTelemetry, RequestSink } from "../mesh-telemetry.js";
import type { Pod } from "../kube/pod.js";
import type { Origin, OriginPod } from "../transport.js";

type ByService = Map<string, RequestSink>;

export class L4Sinks {
  /** [reporter source plaintext, source mTLS, destination plaintext, destination mTLS]. */
  private readonly caches: Map<Origin, Map<Pod, ByService>>[] = [new Map(), new Map(), new Map(), new Map()];

  constructor(
    private readonly telemetry: MeshTelemetry,
    /** Wraps a destination sink to count cross-zone traffic (nodes only). */
    private readonly zones: ((origin: Origin, dest: Pod, sink: RequestSink) => RequestSink) | null,
  ) {}

  get(reporter: "source" | "destination", mtls: boolean, origin: Origin, dest: Pod, service: string): RequestSink {
    const cache = this.caches[(reporter === "source" ? 0 : 2) + (mtls ? 1 : 0)]!;
    let byDest = cache.get(origin);
    if (byDest === undefined) cache.set(origin, (byDest = new Map()));
    let byService = byDest.get(dest);
    if (byService === undefined) byDest.set(dest, (byService = new Map()));
    let sink = byService.get(service);
    if (sink === undefined) {
      const from = origin.pod as (OriginPod & { serviceAccount?: string; ambient?: boolean }) | null;
      const src = peerLabels(from, origin.workload, mtls, from?.serviceAccount);
      const known = from !== null;
      sink = this.telemetry.edge({
        source: origin.workload, sourceNamespace: origin.namespace,
        destination: dest.workload, destinationNamespace: dest.namespace,
        service, reporter, mtls, l4: true,
        sourcePeer: { ...src, exchanged: known },
        destinationPeer: { ...peerLabels(dest, dest.workload, mtls, dest.serviceAccount), exchanged: true },
      });
      if (reporter === "destination" && this.zones !== null) sink = this.zones(origin, dest, sink);
      byService.set(service, sink);
    }
    return sink;
  }
}
