// The telemetry sinks of one route's hops, resolved once per upstream host and then read by index.
// A routed request's edge is fixed by its proxy's route (origin and destination_service), the host
// the load balancer picked (its pool id in the cluster) and whether the connection is mTLS; both
// reporters' sinks for it are EdgeSinks' own objects (the same ones, found with no hashing after
// the first request to each host). It also keeps the container port its requests arrive on (the
// route belongs to one virtual host, hence one call target): the server side finds it without a lookup.
import type { EdgeSinks } from "./edge-sinks.js";
import type { RequestSink } from "./mesh-telemetry.js";
import type { Pod } from "./kube/pod.js";
import type { Origin } from "./transport.js";
import type { CallTarget } from "../scenario/model.js";

export class RouteSinks {
  /** By host id × 4 + reporter (source 0, destination 2) + mTLS (1). */
  private readonly byKey: (RequestSink | undefined)[] = [];

  constructor(
    private readonly sinks: EdgeSinks,
    /** The origin of the route's requests (its proxy's pod): another one takes EdgeSinks' path. */
    readonly origin: Origin,
    /** Istio's destination_service of the route (never PassthroughCluster's per-host one). */
    readonly service: string,
    /** The call target of the route's requests (its virtual host's), whose `targetPort` is kept. */
    readonly target: CallTarget | null = null,
  ) {}

  /** The container port a request to `target` arrives on (-1: not known yet; set by the server side). */
  targetPort = -1;

  /**
   * EdgeSinks.get(reporter, mtls, origin, host, service) for the host with pool id `hostId`; the
   * destination reporter's (EdgeSinks.destination) for a request arriving on container port `port`.
   */
  get(reporter: "source" | "destination", mtls: boolean, origin: Origin, host: Pod, hostId: number, port = -1): RequestSink {
    if (origin !== this.origin || hostId < 0) return this.find(reporter, mtls, origin, host, port);
    const k = hostId * 4 + (reporter === "source" ? 0 : 2) + (mtls ? 1 : 0);
    let s = this.byKey[k];
    if (s === undefined) {
      s = this.find(reporter, mtls, origin, host, port);
      this.byKey[k] = s;
    }
    return s;
  }

  /**
   * `get("destination", ...)` for the server side's `Inbound.receive`: the same sink in about half
   * the bytecode (no reporter to test, the rest out of line). Uncached TurboFan inlines it there;
   * with a warm code cache the budget left after the leg's constructor is smaller than it
   * (docs/performance.md, Goal 3, session 23 `inb10`).
   */
  destination(mtls: boolean, origin: Origin, host: Pod, hostId: number, port: number): RequestSink {
    const s = origin === this.origin && hostId >= 0 ? this.byKey[hostId * 4 + (mtls === true ? 3 : 2)] : undefined;
    return s !== undefined ? s : this.get("destination", mtls, origin, host, hostId, port);
  }

  private find(reporter: "source" | "destination", mtls: boolean, origin: Origin, host: Pod, port: number): RequestSink {
    return reporter === "destination"
      ? this.sinks.destination(mtls, origin, host, this.service, port)
      : this.sinks.get(reporter, mtls, origin, host, this.service);
  }
}
