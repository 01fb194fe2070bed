// The server side of a hop: the request enters the pod (through its inbound sidecar on port 15006
// when it has one, which adds a pass of proxy latency and reports as reporter="destination"), then
// the application serves it. A pod that stops resets the connections of the requests it holds.
import type { Simulator } from "../engine/simulator.js";
import type { ServedRequest } from "./app-server.js";
import type { MeshTelemetry, RequestSink } from "./mesh-telemetry.js";
import type { Pod } from "./pod.js";
import type { Origin, OutgoingRequest, Responder } from "./transport.js";

export class Inbound {
  readonly kArrive: number;
  /** Requests inside each pod (from the inbound sidecar to the app's answer), to reset on a kill. */
  private readonly inside = new Map<Pod, Set<InboundLeg>>();

  constructor(
    readonly sim: Simulator,
    readonly telemetry: MeshTelemetry,
    readonly proxyLatency: () => number,
  ) {
    this.kArrive = sim.on((leg: InboundLeg) => this.toApp(leg));
  }

  /** A request reaches a running pod. `service` is the FQDN the client addressed (or "unknown"). */
  receive(pod: Pod, req: OutgoingRequest, origin: Origin, service: string, mtls: boolean, responder: Responder): void {
    let sink: RequestSink | null = null;
    if (pod.hasSidecar) {
      sink = this.telemetry.edge({
        source: origin.workload, sourceNamespace: origin.namespace,
        destination: pod.workload, destinationNamespace: pod.namespace,
        service, reporter: "destination", mtls,
      });
    }
    const leg = new InboundLeg(this, pod, req, responder, sink, this.sim.now);
    let set = this.inside.get(pod);
    if (set === undefined) {
      set = new Set();
      this.inside.set(pod, set);
    }
    set.add(leg);
    if (pod.hasSidecar) {
      this.telemetry.proxyPass();
      const d = this.proxyLatency();
      if (d > 0) {
        this.sim.after(d, this.kArrive, leg);
        return;
      }
    }
    this.toApp(leg);
  }

  private toApp(leg: InboundLeg): void {
    if (leg.closed) return;
    leg.served = leg.pod.app.arrive(leg.req, leg);
  }

  /** The request left the pod (answered or reset). */
  left(leg: InboundLeg): void {
    this.inside.get(leg.pod)?.delete(leg);
  }

  /** The pod stopped: every request inside gets its connection reset (the caller sees no response). */
  resetAll(pod: Pod): void {
    const set = this.inside.get(pod);
    if (set === undefined) return;
    this.inside.delete(pod);
    for (const leg of set) leg.reset();
  }
}

export class InboundLeg implements Responder {
  closed = false;
  served: ServedRequest | null = null;

  constructor(
    private readonly rt: Inbound,
    readonly pod: Pod,
    readonly req: OutgoingRequest,
    private readonly responder: Responder,
    private readonly sink: RequestSink | null,
    private readonly startMs: number,
  ) {}

  onResponse(status: number, flags: string): void {
    if (this.closed) return;
    this.closed = true;
    this.rt.left(this);
    const now = this.rt.sim.now;
    if (this.sink !== null) this.sink.record(now, now - this.startMs, status, flags);
    this.responder.onResponse(status, flags);
  }

  reset(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.served !== null) this.served.done = true;
    this.responder.onResponse(0, "-");
  }
}
