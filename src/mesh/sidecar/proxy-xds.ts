// What one sidecar's Envoy holds from istiod, per xDS type: the config version its clusters (CDS),
// listeners (LDS) and routes (RDS) were built from, and the endpoint snapshot (EDS) it was last sent.
// Each type changes on its own as pushes arrive, in istiod's order CDS, EDS, LDS, RDS, so for a
// moment a proxy can hold new clusters with old routes (make-before-break), never the reverse.
// https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#eventual-consistency-considerations
import type { MeshConfig } from "../../config/mesh-config.js";
import type { Pod } from "../kube/pod.js";
import type { CallTarget } from "../../scenario/model.js";
import type { ServiceEntry } from "../../proxy/api/networking.js";
import type { Cluster } from "../../proxy/config/cluster.js";
import type { RouteConfiguration, VirtualHost } from "../../proxy/config/virtual-host.js";
import type { Listener } from "../../proxy/config/listener.js";
import { routeRegexRejection } from "../../proxy/route/re2-program-size.js";
import type { CompiledDestination } from "../../proxy/route/destination.js";

/** Endpoints of every service at one moment, as istiod last computed them (immutable). */
export interface EndpointSnapshot {
  /** Unique per snapshot (clusters rebuild their host sets when it changes). */
  readonly version: number;
  readonly byFqdn: ReadonlyMap<string, readonly Pod[]>;
}

export class ProxyXds {
  /** A push is queued or in flight for this proxy, or a NACK left it behind (istioctl proxy-status STALE). */
  stale = false;
  /** xDS types (bits) whose last push this proxy NACKed. */
  rejected = 0;
  /** The proxy has received its first config (Envoy is ready to serve). */
  bootstrapped: boolean;
  constructor(
    public cds: MeshConfig,
    public eds: EndpointSnapshot,
    public lds: MeshConfig,
    public rds: MeshConfig,
    bootstrapped: boolean,
  ) {
    this.bootstrapped = bootstrapped;
  }

  /**
   * The proxy's verdict on a route configuration push (null: ACK). Envoy compiles every route it is
   * sent; a regex over its RE2 program size limit fails the whole RDS update (NACK), and the proxy
   * keeps the routes it had. https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#ack-nack-and-resource-type-instance-version
   */
  routesRejection(routes: readonly RouteConfiguration[]): string | null {
    for (const rc of routes) {
      for (const vh of rc.virtualHosts) {
        if (vh.virtualService === "") continue; // istiod's own routes have no regex
        const [name, ns] = vh.virtualService.split(".");
        for (const r of vh.routes) {
          const why = routeRegexRejection(r.rule, `${ns}/${name}`);
          if (why !== null) return why;
        }
      }
    }
    return null;
  }
}

/**
 * istiod's translation as the proxies ask for it (xds/translation/translator.ts implements it): the
 * one place that decides which virtual host and cluster a proxy holds, under the config version of
 * the xDS type in question.
 */
export interface Translation {
  /** RDS: the virtual host the proxy's listener for `target.port` picks for the request's host. */
  virtualHost(pod: Pod, config: MeshConfig, target: CallTarget): VirtualHost;
  /** CDS: the cluster a route destination names (undefined: the proxy has none, 503 NC). */
  cluster(pod: Pod, config: MeshConfig, d: CompiledDestination): Cluster | undefined;
  /** CDS: the cluster of a ServiceEntry host and port. */
  serviceEntryCluster(pod: Pod, config: MeshConfig, se: ServiceEntry, host: string, port: number): Cluster;
  /** LDS: every listener of the proxy. */
  listeners(pod: Pod, config: MeshConfig): Listener[];
  /** RDS: every route configuration of the proxy. */
  routeConfigurations(pod: Pod, config: MeshConfig): RouteConfiguration[];
  /** CDS: every cluster of the proxy. */
  clusters(pod: Pod, config: MeshConfig): Cluster[];
  /** CDS: the proxy's inbound clusters (`inbound|port||`), with the connection pool istiod wrote on each. */
  inboundClusters(pod: Pod, config: MeshConfig): Cluster[];
}
