// The server side of a hop: the request enters the pod (through its inbound sidecar on port 15006
// when it has one, which adds a pass of proxy latency and reports as reporter="destination"), then
// the application serves it.
import type { Simulator } from "../engine/simulator.js";
import type { MeshTelemetry, RequestSink } from "./mesh-telemetry.js";
import type { Pod } from "./pod.js";
import type { Origin, OutgoingRequest, Responder } from "./transport.js";

export class Inbound {
  readonly kArrive: number;
  constructor(
    readonly sim: Simulator,
    readonly telemetry: MeshTelemetry,
    readonly proxyLatency: () => number,
  ) {
    this.kArrive = sim.on((leg: InboundLeg) => leg.pod.app.arrive(leg.req, leg));
  }

  /** A request reaches a running pod. `service` is the FQDN the client addressed (or "unknown"). */
  receive(pod: Pod, req: OutgoingRequest, origin: Origin, service: string, mtls: boolean, responder: Responder): InboundLeg {
    let sink: RequestSink | null = null;
    if (pod.hasSidecar) {
      sink = this.telemetry.edge({
        source: origin.workload, sourceNamespace: origin.namespace,
        destination: pod.workload, destinationNamespace: pod.namespace,
        service, reporter: "destination", mtls,
      });
    }
    const leg = new InboundLeg(pod, req, responder, sink, this.sim.now, this.sim);
    if (pod.hasSidecar) {
      this.telemetry.proxyPass();
      const d = this.proxyLatency();
      if (d > 0) this.sim.after(d, this.kArrive, leg);
      else pod.app.arrive(req, leg);
    } else {
      pod.app.arrive(req, leg);
    }
    return leg;
  }
}

export class InboundLeg implements Responder {
  constructor(
    readonly pod: Pod,
    readonly req: OutgoingRequest,
    private readonly responder: Responder,
    private readonly sink: RequestSink | null,
    private readonly startMs: number,
    private readonly sim: Simulator,
  ) {}

  onResponse(status: number, flags: string): void {
    if (this.sink !== null) this.sink.record(this.sim.now, this.sim.now - this.startMs, status, flags);
    this.responder.onResponse(status, flags);
  }
}
