// A request from a client with no sidecar (outside the mesh, a pod without injection, or
// `mesh.mode: none`): kube-proxy picks a ready endpoint of the Service, the packets cross the
// network, and the answer comes straight back. No routing rules, no retries, no mTLS.
import type { Simulator } from "../engine/simulator.js";
import type { Inbound } from "./inbound.js";
import type { Network } from "./network.js";
import type { Pod } from "./pod.js";
import type { ServiceRegistry } from "./service-registry.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "./transport.js";

export class DirectPath {
  readonly kArrive: number;
  readonly kBack: number;
  constructor(
    readonly sim: Simulator,
    readonly network: Network,
    readonly registry: ServiceRegistry,
    readonly inbound: Inbound,
  ) {
    this.kArrive = sim.on((x: DirectExchange) => x.arrive());
    this.kBack = sim.on((x: DirectExchange) => x.deliver());
  }

  send(origin: Origin, req: OutgoingRequest, responder: Responder): Exchange {
    const x = new DirectExchange(this, origin, req, responder);
    const t = req.target.resolved;
    if (t.kind === "service") {
      const svc = this.registry.byFqdn.get(t.fqdn);
      const pod = svc?.kubeProxyPick();
      // No ready endpoint: kube-proxy rejects the connection; the client gets no HTTP answer.
      if (pod === undefined) x.answer(0, "-", 0);
      else {
        x.pod = pod;
        x.service = t.fqdn;
        this.after(this.network.oneWay(), this.kArrive, x);
      }
    } else {
      // A host outside the cluster answers after the round trip.
      x.answer(200, "-", this.network.externalRoundTrip());
    }
    return x;
  }

  after(delay: number, kind: number, x: DirectExchange): void {
    if (delay > 0) this.sim.after(delay, kind, x);
    else if (kind === this.kArrive) x.arrive();
    else x.deliver();
  }
}

export class DirectExchange implements Exchange, Responder {
  pod: Pod | null = null;
  service = "unknown";
  private abandoned = false;
  private status = 0;
  private flags = "-";

  constructor(
    private readonly path: DirectPath,
    private readonly origin: Origin,
    private readonly req: OutgoingRequest,
    private readonly responder: Responder,
  ) {}

  abandon(): void {
    this.abandoned = true;
  }

  arrive(): void {
    const pod = this.pod!;
    // The pod stopped while the packets were on the way: connection refused.
    if (!pod.alive) this.answer(0, "-", 0);
    else this.path.inbound.receive(pod, this.req, this.origin, this.service, false, this);
  }

  /** The server's answer travels back over the network. */
  onResponse(status: number, flags: string): void {
    this.answer(status, flags, this.path.network.oneWay());
  }

  answer(status: number, flags: string, delay: number): void {
    this.status = status;
    this.flags = flags;
    this.path.after(delay, this.path.kBack, this);
  }

  deliver(): void {
    if (!this.abandoned) this.responder.onResponse(this.status, this.flags);
  }
}
