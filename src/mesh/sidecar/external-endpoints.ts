// The endpoints of a ServiceEntry with `resolution: STATIC` or `DNS` and `endpoints[]`: istiod makes
// the host an outbound cluster of those addresses (STATIC: EDS; DNS: STRICT_DNS, every address
// resolved), load-balanced by the host's DestinationRule (Istio's default LEAST_REQUEST).
// Each endpoint answers after its own round trip; they live outside the simulated cluster, so there
// are no pods, connection pools or outlier detection behind them (a named simplification). A
// MESH_INTERNAL endpoint labelled for Istio mTLS gets auto mTLS (the edge's mtls flag only: no
// handshake is simulated).
// https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
import { HostSet, createLoadBalancer, NO_HOST, type LbHost, type LoadBalancer, type UniformSource } from "../../proxy/lb/index.js";
import type { LoadBalancerSettings } from "../../proxy/api/networking.js";

export class ExternalEndpoints {
  private readonly set: HostSet;
  private readonly lb: LoadBalancer;
  /** Round robin: one balancer (one position) per worker thread, as Envoy runs it (see UpstreamCluster). */
  private readonly workerLbs: (LoadBalancer | undefined)[] = [];
  private readonly perWorker: boolean;

  constructor(
    hosts: readonly LbHost[],
    /** Each endpoint's round trip, by index. */
    private readonly roundTrips: readonly (() => number)[],
    /** Whether the sidecar speaks Istio mTLS to each endpoint (the edge's mtls flag). */
    private readonly mtlsOf: readonly boolean[],
    private readonly settings: LoadBalancerSettings | undefined,
    private readonly source: UniformSource,
  ) {
    this.set = new HostSet(hosts);
    this.lb = createLoadBalancer(settings, this.set, source);
    this.perWorker = settings?.consistentHash === undefined && (settings?.simple === "ROUND_ROBIN" || !this.set.equalWeights);
  }

  /** Choose an endpoint for one request on worker `worker` and count it in flight (LEAST_REQUEST reads the count). */
  pick(worker = 0): number {
    const lb = !this.perWorker || worker === 0 ? this.lb : (this.workerLbs[worker] ??= createLoadBalancer(this.settings, this.set, this.source));
    const h = lb.pick();
    const i = h === NO_HOST ? 0 : h;
    this.set.active[i]!++;
    return i;
  }

  roundTrip(i: number): number {
    return this.roundTrips[i]!();
  }

  mtls(i: number): boolean {
    return this.mtlsOf[i]!;
  }

  /** The request to endpoint `i` ended (answered, timed out, or abandoned). */
  done(i: number): void {
    this.set.active[i]!--;
  }

  /** Requests in flight to endpoint `i` from this proxy. */
  inFlight(i: number): number {
    return this.set.active[i]!;
  }

  get size(): number {
    return this.set.size;
  }
}
