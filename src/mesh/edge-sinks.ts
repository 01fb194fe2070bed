// The telemetry sink of each edge, cached by object identity (origin, destination pod, service) so
// that recording a request hashes no strings and allocates nothing.
import type { MeshTelemetry, RequestSink } from "./mesh-telemetry.js";
import type { Pod } from "./pod.js";
import type { Origin } from "./transport.js";

class SinkCache {
  private readonly byOrigin = new Map<Origin, Map<Pod | null, Map<string, RequestSink>>>();
  constructor(
    private readonly telemetry: MeshTelemetry,
    private readonly reporter: "source" | "destination",
    private readonly mtls: boolean,
  ) {}

  get(origin: Origin, dest: Pod | null, service: string): RequestSink {
    let byDest = this.byOrigin.get(origin);
    if (byDest === undefined) {
      byDest = new Map();
      this.byOrigin.set(origin, byDest);
    }
    let byService = byDest.get(dest);
    if (byService === undefined) {
      byService = new Map();
      byDest.set(dest, byService);
    }
    let sink = byService.get(service);
    if (sink === undefined) {
      sink = this.telemetry.edge({
        source: origin.workload, sourceNamespace: origin.namespace,
        destination: dest?.workload ?? "unknown", destinationNamespace: dest?.namespace ?? "unknown",
        service, reporter: this.reporter, mtls: this.mtls,
      });
      byService.set(service, sink);
    }
    return sink;
  }
}

export class EdgeSinks {
  private readonly caches: SinkCache[];
  constructor(telemetry: MeshTelemetry) {
    this.caches = [
      new SinkCache(telemetry, "source", false), new SinkCache(telemetry, "source", true),
      new SinkCache(telemetry, "destination", false), new SinkCache(telemetry, "destination", true),
    ];
  }

  /** The sink for requests from `origin` to `dest` (null: none reached) addressed to `service`. */
  get(reporter: "source" | "destination", mtls: boolean, origin: Origin, dest: Pod | null, service: string): RequestSink {
    return this.caches[(reporter === "source" ? 0 : 2) + (mtls ? 1 : 0)]!.get(origin, dest, service);
  }
}
