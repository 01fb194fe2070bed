// The telemetry sink of each edge, cached by object identity (origin, destination pod, service) so
// that recording a request hashes no strings and allocates nothing.
import type { PeerLabels } from "../telemetry/recorder.js";
import { spiffeId } from "../proxy/security/identity.js";
import type { MeshTelemetry, RequestSink } from "./mesh-telemetry.js";
import type { Pod } from "./kube/pod.js";
import type { Origin, OriginPod } from "./transport.js";

const UNKNOWN = "unknown";

/**
 * Istio's peer labels of a pod (https://istio.io/latest/docs/reference/config/metrics/#labels):
 * app and version from its labels, the canonical service and revision from
 * service.istio.io/canonical-name|revision, else app.kubernetes.io/name|version, else app|version
 * (else the workload's name and "latest"); the principal is known only over mTLS. Without a proxy
 * at that end no metadata is exchanged (https://istio.io/latest/docs/reference/config/metrics/).
 */
export function peerLabels(pod: OriginPod | null, workload: string, mtls: boolean, serviceAccount: string | undefined): PeerLabels {
  const l = pod?.labels ?? {};
  // "region/zone/subzone" when the scenario has nodes (mesh/kube/cluster-nodes.ts).
  const locality = (pod as { locality?: string } | null)?.locality?.split("/");
  const identity = pod !== null && serviceAccount !== undefined ? spiffeId(pod.namespace, serviceAccount) : undefined;
  const exchanged = pod !== null && pod.hasSidecar;
  const principal = mtls && identity !== undefined ? identity : UNKNOWN;
  const app = l.app ?? UNKNOWN;
  const version = l.version ?? UNKNOWN;
  const canonicalService = pod === null ? UNKNOWN : l["service.istio.io/canonical-name"] ?? l["app.kubernetes.io/name"] ?? l.app ?? workload;
  const canonicalRevision = pod === null ? UNKNOWN : l["service.istio.io/canonical-revision"] ?? l["app.kubernetes.io/version"] ?? l.version ?? "latest";
  // One literal per combination of the optional fields, in the order the spreads gave them: an object
  // built by spreading a conditional object and adding fields after it grows its property store a
  // field at a time (≈ 1 KB allocated per call against ≈ 130 bytes; 4 calls per edge, so ≈ 6 MB of
  // the chain-1000's window: docs/performance.md, Goal 4, session 18).
  if (locality === undefined) {
    return identity === undefined
      ? { exchanged, principal, app, version, canonicalService, canonicalRevision }
      : { identity, exchanged, principal, app, version, canonicalService, canonicalRevision };
  }
  const region = locality[0] ?? "";
  const zone = locality[1] ?? "";
  return identity === undefined
    ? { region, zone, exchanged, principal, app, version, canonicalService, canonicalRevision }
    : { identity, region, zone, exchanged, principal, app, version, canonicalService, canonicalRevision };
}

/**
 * The destination's labels as the reporter knows them. A client sidecar learns its peer from the
 * x-envoy-peer-metadata header the server's sidecar adds to the response; a server without a
 * sidecar sends none, so the client falls back to the endpoint's istio.workload metadata
 * ("name;namespace;canonical service;canonical revision;cluster"), which has no app or version
 * (istio_stats.cc populatePeerInfo → extractEndpointMetadata; extensions/common/metadata_object.cc
 * convertEndpointMetadata): destination_app and destination_version are "unknown" there.
 */
function destinationPeerLabels(peers: PeerLabelsMemo, dest: Pod, reporter: "source" | "destination" | "waypoint", mtls: boolean): PeerLabels {
  const p = peers.of(dest, dest.workload, mtls, dest.serviceAccount);
  return reporter === "source" && !dest.hasSidecar ? { ...p, app: UNKNOWN, version: UNKNOWN } : p;
}

/** Peer labels without a pod (a client outside the mesh, no destination reached): the same for all. */
const NO_POD_PEER = peerLabels(null, UNKNOWN, false, undefined);

/** A pod's peer labels as computed for its workload, service account and locality, by mTLS. */
class PodPeerLabels {
  plain: PeerLabels | null = null;
  mtls: PeerLabels | null = null;
  constructor(readonly workload: string, readonly serviceAccount: string | undefined, readonly locality: string | undefined) {}
}

/**
 * Each pod's peer labels, made once per pod and transport and shared by its edges (the labels object
 * is read, never written: telemetry/recorder.ts, report/prometheus.ts). A pod is an edge's source for
 * both reporters and the destination of others, so each was built 4 times at least, as many objects
 * kept as long as the edges (docs/performance.md, Goal 4, session 20). Reused only for the same
 * workload, service account and locality, the other inputs of peerLabels.
 */
class PeerLabelsMemo {
  private readonly byPod = new WeakMap<OriginPod, PodPeerLabels>();

  of(pod: OriginPod | null, workload: string, mtls: boolean, serviceAccount: string | undefined): PeerLabels {
    if (pod === null) return NO_POD_PEER;
    const locality = (pod as { locality?: string }).locality;
    let m = this.byPod.get(pod);
    if (m === undefined || m.workload !== workload || m.serviceAccount !== serviceAccount || m.locality !== locality) {
      m = new PodPeerLabels(workload, serviceAccount, locality);
      this.byPod.set(pod, m);
    }
    return mtls ? (m.mtls ??= peerLabels(pod, workload, true, serviceAccount)) : (m.plain ??= peerLabels(pod, workload, false, serviceAccount));
  }
}

class SinkCache {
  /** Sinks of requests that reached no pod, by origin then service key. */
  private readonly toNoPod = new Map<Origin, Map<string, RequestSink>>();
  constructor(
    private readonly telemetry: MeshTelemetry,
    private readonly reporter: "source" | "destination",
    private readonly mtls: boolean,
    /** This cache's slot in each pod's `edgeSinks`. */
    private readonly slot: number,
    private readonly peers: PeerLabelsMemo,
    private readonly zones: ZoneSinkWrapper | null = null,
  ) {}

  /** The last edge asked for (requests the route sinks do not cover, from outside, come in runs). */
  private lastOrigin: Origin | null = null;
  private lastDest: Pod | null = null;
  private lastService = "";
  private lastHost = "";
  private lastSink: RequestSink | null = null;

  get(origin: Origin, dest: Pod | null, service: string, externalHost: string, serviceNamespace = "", reportedService = ""): RequestSink {
    if (origin === this.lastOrigin && dest === this.lastDest && service === this.lastService && externalHost === this.lastHost && reportedService === this.lastReported) return this.lastSink!;
    const sink = this.find(origin, dest, service, externalHost, serviceNamespace, reportedService);
    this.lastOrigin = origin;
    this.lastDest = dest;
    this.lastService = service;
    this.lastHost = externalHost;
    this.lastReported = reportedService;
    this.lastSink = sink;
    return sink;
  }

  private lastReported = "";

  private find(origin: Origin, dest: Pod | null, service: string, externalHost: string, serviceNamespace: string, reportedService: string): RequestSink {
    // Keyed by the destination pod first, through a field on it: one Map lookup fewer per record.
    let byOrigin: Map<Origin, Map<string, RequestSink>>;
    if (dest === null) byOrigin = this.toNoPod;
    else {
      const slots = (dest.edgeSinks ??= [null, null, null, null]) as (Map<Origin, Map<string, RequestSink>> | null)[];
      byOrigin = slots[this.slot] ??= new Map();
    }
    let byService = byOrigin.get(origin);
    if (byService === undefined) {
      byService = new Map();
      byOrigin.set(origin, byService);
    }
    // Requests to PassthroughCluster/BlackHoleCluster are told apart by host (their destination_service).
    // So are a server's requests whose inbound cluster names another service than the one addressed.
    const key = externalHost === "" ? reportedService === "" ? service : `${service}\u0001${reportedService}` : `${service}\u0000${externalHost}`;
    let sink = byService.get(key);
    if (sink === undefined) {
      sink = this.create(origin, dest, service, externalHost, serviceNamespace, reportedService);
      byService.set(key, sink);
    }
    return sink;
  }

  /**
   * The sink of an edge met for the first time: a method of its own, so that `find`, which every
   * route's first request to a host runs, stays small (at 1,000 services V8 compiled `find` with this
   * inlined for the 2,000 edges it made: docs/performance.md, Goal 4, session 20).
   */
  private create(origin: Origin, dest: Pod | null, service: string, externalHost: string, serviceNamespace: string, reportedService: string): RequestSink {
    // A waypoint reports its requests as reporter="waypoint", with the original client as source.
    const via = origin.client !== undefined;
    const from = (via ? origin.client : origin.pod) as (OriginPod & { serviceAccount?: string; ambient?: boolean }) | null;
    const reporter = via && this.reporter === "source" ? "waypoint" : this.reporter;
    const destinationPeer = dest === null ? NO_POD_PEER : destinationPeerLabels(this.peers, dest, reporter, this.mtls);
    // One literal when no optional label is set (a sidecar's request to a service): the general case's
    // spreads copy and grow the object field by field. Same fields in the same order either way.
    const plain = externalHost === "" && serviceNamespace === "" && reportedService === "" && !via && origin.noPeerMetadata !== true;
    let sink = this.telemetry.edge(plain
      ? {
          source: origin.workload, sourceNamespace: origin.namespace,
          destination: dest?.workload ?? UNKNOWN, destinationNamespace: dest?.namespace ?? UNKNOWN,
          service, reporter, mtls: this.mtls,
          sourcePeer: this.peers.of(from, origin.workload, this.mtls, from?.serviceAccount),
          destinationPeer,
        }
      : {
          source: origin.workload, sourceNamespace: origin.namespace,
          destination: dest?.workload ?? UNKNOWN, destinationNamespace: dest?.namespace ?? UNKNOWN,
          service, reporter, mtls: this.mtls,
          ...(externalHost === "" ? {} : { externalHost }),
          ...(serviceNamespace === "" ? {} : { serviceNamespace }),
          ...(reportedService === "" ? {} : { reportedService }),
          sourcePeer: via && from !== null && from.ambient === true
            ? { ...peerLabels(from, origin.workload, this.mtls, from.serviceAccount), exchanged: true }
            : origin.noPeerMetadata === true
              ? { ...peerLabels(from, origin.workload, this.mtls, from?.serviceAccount), exchanged: false }
              : this.peers.of(from, origin.workload, this.mtls, from?.serviceAccount),
          ...(origin.noPeerMetadata === true ? { noPeerMetadata: true } : {}),
          destinationPeer,
        });
    // Nodes and zones: count what crosses a zone (mesh/kube/cross-zone-sink.ts).
    if (this.reporter === "destination" && dest !== null && this.zones !== null) sink = this.zones(origin, dest, sink);
    return sink;
  }
}

/** Wraps the destination's sink of an edge to count cross-zone traffic (only when the scenario has nodes). */
export type ZoneSinkWrapper = (origin: Origin, dest: Pod, sink: RequestSink) => RequestSink;

export class EdgeSinks {
  private readonly caches: SinkCache[];
  /**
   * The first service of the inbound cluster of a container port of a pod's sidecar (set by the
   * wiring: the translation's `statsServices`); null: the addressed service is reported.
   */
  inboundService: ((pod: Pod, port: number) => string | undefined) | null = null;
  private readonly peers = new PeerLabelsMemo();
  constructor(private readonly telemetry: MeshTelemetry, zones: ZoneSinkWrapper | null = null) {
    const peers = this.peers;
    this.caches = [
      new SinkCache(telemetry, "source", false, 0, peers), new SinkCache(telemetry, "source", true, 1, peers),
      new SinkCache(telemetry, "destination", false, 2, peers, zones), new SinkCache(telemetry, "destination", true, 3, peers, zones),
    ];
  }

  /**
   * The sink for requests from `origin` to `dest` (null: none reached) addressed to `service`;
   * `externalHost`: the host of a request to PassthroughCluster/BlackHoleCluster, else "".
   */
  get(reporter: "source" | "destination", mtls: boolean, origin: Origin, dest: Pod | null, service: string, externalHost = "", serviceNamespace = ""): RequestSink {
    return this.caches[(reporter === "source" ? 0 : 2) + (mtls ? 1 : 0)]!.get(origin, dest, service, externalHost, serviceNamespace);
  }

  /** The source reporter's TCP sinks of virtualOutbound's catch-all chains, by cluster and origin. */
  private readonly catchAll = { BlackHoleCluster: new Map<Origin, RequestSink>(), PassthroughCluster: new Map<Origin, RequestSink>() };
  /** PassthroughCluster's connections whose connect failed (flag UF), by origin. */
  private readonly passthroughFailed = new Map<Origin, RequestSink>();

  /**
   * The client sidecar's TCP edge of a connection that virtualOutbound's catch-all chain sends to
   * BlackHoleCluster (REGISTRY_ONLY, a port with no HTTP listener) or PassthroughCluster (ALLOW_ANY,
   * a host outside the cluster, a port with no HTTP listener). istiod puts the stats network filter
   * before tcp_proxy there (listener_builder.go buildOutboundCatchAllNetworkFiltersOnly,
   * buildMetricsNetworkFilters), so the connection is counted in istio_tcp_connections_opened_total
   * and _closed_total (and its bytes in istio_tcp_*_bytes_total), reporter="source", with no request
   * headers (destination_service "unknown"), destination_service_name the cluster's name; never in
   * istio_requests_total. Flags: `UH` to BlackHoleCluster (tcp_proxy.cc establishUpstreamConnection
   * sets the cluster before it finds no host), "-" to PassthroughCluster (it reaches the original
   * destination). istio/proxy istio_stats.cc (reportHelper, populatePeerInfo); the labels as in
   * https://istio.io/latest/blog/2019/monitoring-external-service-traffic/ ("TCP proxy virtual listener").
   */
  catchAllTcp(origin: Origin, cluster: "BlackHoleCluster" | "PassthroughCluster", connectFailed = false): RequestSink {
    // A connection to PassthroughCluster whose connect failed (nothing at the original destination:
    // tcp_proxy.cc onGenericPoolFailure sets UpstreamConnectionFailure) is labelled UF.
    const byOrigin = connectFailed ? this.passthroughFailed : this.catchAll[cluster];
    let s = byOrigin.get(origin);
    if (s === undefined) {
      const from = origin.pod as (OriginPod & { serviceAccount?: string }) | null;
      s = this.telemetry.edge({
        source: origin.workload, sourceNamespace: origin.namespace, destination: UNKNOWN, destinationNamespace: UNKNOWN,
        service: cluster, reporter: "source", mtls: false, tcpProxyFlags: cluster === "BlackHoleCluster" ? "UH" : connectFailed ? "UF" : "-",
        sourcePeer: this.peers.of(from, origin.workload, false, from?.serviceAccount),
        destinationPeer: NO_POD_PEER,
      });
      byOrigin.set(origin, s);
    }
    return s;
  }

  /**
   * The server sidecar's sink (reporter destination) for a request to `service` arriving on
   * container port `port`. Its stats filter names the service of its inbound cluster's metadata
   * (`istio.services[0]`), not the one the client addressed: a pod that two Services select on one
   * port reports the first for both (istio/proxy istio_stats.cc populatePeerInfo: the cluster's
   * metadata, with disable_host_header_fallback on inbound listeners). summary.json's edges keep the
   * addressed service (`service`); metrics.prom prints the reported one.
   */
  destination(mtls: boolean, origin: Origin, pod: Pod, service: string, port: number): RequestSink {
    const first = port < 0 ? undefined : this.inboundService?.(pod, port);
    return this.caches[mtls ? 3 : 2]!.get(origin, pod, service, "", "", first !== undefined && first !== service ? first : "");
  }
}
