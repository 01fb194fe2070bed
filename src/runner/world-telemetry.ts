// The world's view of telemetry (mesh/MeshTelemetry) over the streaming Recorder: caches one sink
// per edge in nested maps so that the hot path allocates nothing.
import type { AppObserver } from "../mesh/app-server.js";
import type { ClientSink } from "../mesh/load-generator.js";
import type { EdgeKey, RequestSink } from "../mesh/mesh-telemetry.js";
import type { WorldTelemetry } from "../mesh/world.js";
import type { Recorder } from "../telemetry/recorder.js";

type Level<T> = Map<string, T>;

export class WorldTelemetryAdapter implements WorldTelemetry {
  /** reporter → mtls → source → destination → service → sink */
  private readonly edges = new Map<string, Map<boolean, Level<Level<Level<RequestSink>>>>>();
  private passes = 0;

  constructor(private readonly recorder: Recorder, private readonly cpuPerPassMs: number) {}

  setProxies(n: number): void {
    this.recorder.mesh.proxies = n;
  }

  edge(k: EdgeKey): RequestSink {
    const byMtls = getOr(this.edges, k.reporter, () => new Map());
    const bySource = getOr(byMtls, k.mtls, () => new Map());
    const byDest = getOr(bySource, k.source, () => new Map());
    const byService = getOr(byDest, k.destination, () => new Map());
    let sink = byService.get(k.service);
    if (sink === undefined) {
      sink = this.recorder.edge({
        source: k.source, sourceNamespace: k.sourceNamespace,
        destination: k.destination, destinationNamespace: k.destinationNamespace,
        service: k.service, reporter: k.reporter, mtls: k.mtls,
      });
      byService.set(k.service, sink);
    }
    return sink;
  }

  proxyPass(): void {
    this.passes++;
    this.recorder.mesh.proxyCpuMs = this.passes * this.cpuPerPassMs;
  }

  client(name: string): ClientSink {
    return this.recorder.client(name);
  }

  pod(name: string, concurrency: number): AppObserver {
    return this.recorder.pod(name, concurrency);
  }

  event(tMs: number, kind: string, detail: Record<string, string | number>): void {
    this.recorder.event(tMs, kind, detail);
  }
}

function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}
