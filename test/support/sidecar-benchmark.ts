// Istio's sidecar benchmark set-up, reduced to the two proxies a request crosses (fortio client →
// client sidecar → server sidecar → fortio server, 1 KB HTTP/1.1, mTLS, `connections` long-lived
// connections each pinned to one of `concurrency` workers per proxy, Poisson arrivals at `rps`),
// on the event loop so that every worker sees its work in time order: the added latency per
// request is, at each proxy, the wait for its worker + the on-path CPU + the profile's non-CPU
// latency. Used to fit and check the profiles' published p90/p99.
import { RandomStreams } from "../../src/engine/rng.js";
import { Simulator } from "../../src/engine/simulator.js";
import { compileDistribution } from "../../src/engine/distributions/compile.js";
import type { ProxyCalibration } from "../../src/proxy/resources/calibration-profile.js";
import { WorkerThreads } from "../../src/proxy/resources/worker-threads.js";

interface Req { t0: number; c: number }

export function sidecarBenchmark(cal: ProxyCalibration, o: { rps: number; connections: number; concurrency: number; requests: number; seed: number }) {
  const rng = new RandomStreams(o.seed);
  const arrivals = rng.stream("arrivals");
  const pick = rng.stream("connection");
  const pins = rng.stream("pin");
  const lat = compileDistribution(cal.latency, rng.stream("latency"));
  const proxies = [new WorkerThreads(o.concurrency), new WorkerThreads(o.concurrency)] as const;
  const pinned = proxies.map((p) => Array.from({ length: o.connections }, () => p.pin(pins())));
  const onPath = cal.cpuPerRequestMs * (1 - cal.afterResponseShare - cal.mainThreadShare);
  const after = cal.cpuPerRequestMs * cal.afterResponseShare;
  const added: number[] = [];
  const sim = new Simulator();
  const atServer = sim.on((r: Req) => {
    const w1 = pinned[1]![r.c]!;
    sim.at(proxies[1].run(w1, sim.now, onPath, 0) + lat(), done, r);
  });
  const done = sim.on((r: Req) => {
    added.push(sim.now - r.t0);
    proxies[1].runAfter(pinned[1]![r.c]!, sim.now, after);
    proxies[0].runAfter(pinned[0]![r.c]!, sim.now, after);
  });
  const arrive = sim.on(() => {
    const r: Req = { t0: sim.now, c: Math.floor(pick() * o.connections) };
    sim.at(proxies[0].run(pinned[0]![r.c]!, sim.now, onPath, 0) + lat(), atServer, r);
    if (proxies[0].passes < o.requests) sim.after(-Math.log(1 - arrivals()) * (1000 / o.rps), arrive);
  });
  sim.at(0, arrive);
  sim.run();
  const sorted = added.sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), vcpuPerProxy: (proxies[0].totalBusyMs() + proxies[0].passes * cal.cpuPerRequestMs * cal.mainThreadShare) / sim.now, meanWaitMs: proxies[0].waitMs / proxies[0].passes };
}
