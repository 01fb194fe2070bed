// A request from a client with no sidecar (outside the mesh, a pod without injection, or
// `mesh.mode: none`): kube-proxy picks a ready endpoint of the Service, the packets cross the
// network, and the answer comes straight back. No routing rules, no retries, no mTLS.
import type { Simulator } from "../../engine/simulator.js";
import type { Inbound } from "../sidecar/inbound.js";
import type { Network } from "../network.js";
import type { ServiceRegistry, ServiceState } from "./service-registry.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";

export class DirectPath {
  readonly kBack: number;
  /** The last target's Service (the registry's ServiceState objects live as long as the world): a
   *  load generator or an app calls one target again and again, so this saves a Map lookup a request. */
  private lastTarget: object | null = null;
  private lastService: ServiceState | undefined = undefined;
  constructor(
    readonly sim: Simulator,
    readonly network: Network,
    readonly registry: ServiceRegistry,
    readonly inbound: Inbound,
    /** Uniform draws for kube-proxy's random choice of endpoint. */
    readonly kubeProxyDraw: () => number,
  ) {
    this.kBack = sim.on((x: DirectExchange) => x.deliver());
  }

  send(origin: Origin, req: OutgoingRequest, responder: Responder): Exchange {
    const x = new DirectExchange(this, responder);
    const t = req.target.resolved;
    if (t.kind === "service") {
      let svc = this.lastService;
      if (t !== this.lastTarget) {
        svc = this.lastService = this.registry.byFqdn.get(t.fqdn);
        this.lastTarget = t;
      }
      const pod = svc?.kubeProxyPick(this.kubeProxyDraw());
      // No ready endpoint: kube-proxy rejects the connection; the client gets no HTTP answer.
      if (pod === undefined) x.answer(0, "-", 0);
      else {
        x.server = pod;
        x.client = origin.pod;
        this.inbound.receive(pod, req, origin, t.fqdn, false, x, this.network.between(origin.pod, pod));
      }
    } else {
      // A host outside the cluster answers after the round trip.
      x.answer(200, "-", this.network.externalRoundTrip());
    }
    return x;
  }

  back(delay: number, x: DirectExchange): void {
    if (delay > 0) this.sim.after(delay, this.kBack, x);
    else x.deliver();
  }
}

export class DirectExchange implements Exchange, Responder {
  /** The server's pod and the client's (for the network's distance). */
  server: object | null = null;
  client: object | null = null;
  private abandoned = false;
  private status = 0;
  private flags = "-";
  private bytes = 0;

  constructor(
    private readonly path: DirectPath,
    private readonly responder: Responder,
  ) {}

  abandon(): void {
    this.abandoned = true;
  }

  /** The server's answer travels back over the network; a refused connection answers at once. */
  onResponse(status: number, flags: string, bytes = 0): void {
    this.bytes = bytes;
    if (status === 0) this.answer(0, "-", 0);
    else this.answer(status, flags, this.path.network.between(this.server, this.client));
  }

  answer(status: number, flags: string, delay: number): void {
    this.status = status;
    this.flags = flags;
    this.path.back(delay, this);
  }

  deliver(): void {
    if (!this.abandoned) this.responder.onResponse(this.status, this.flags, this.bytes);
  }
}
