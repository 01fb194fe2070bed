// The same M/M/c on simjs (SIM.JS 2, the npm package `simjs`), the general-purpose JavaScript
// discrete-event engine issue 18 is checked against, written as its documentation models a queue: a
// source entity schedules the next arrival with `setTimer` and sends each arrival to a first-come
// first-served Facility of c servers with `useFacility`; service and interarrival times come from
// simjs's own seeded `Random` (`exponential(λ)` is −ln(u)/λ), each response time into a DataSeries.
// https://github.com/btelles/simjs-updated (src/lib/sim.js: Facility.useFCFS, Entity.useFacility)
import { createRequire } from "node:module";
import type { MMcOptions } from "./minimal-loop.js";

interface SimjsRequest {
  done(callback: () => void): SimjsRequest;
}
interface SimjsEntity {
  time(): number;
  setTimer(durationMs: number): SimjsRequest;
  useFacility(facility: SimjsFacility, durationMs: number): SimjsRequest;
}
type SimjsFacility = object;
/** What this model uses of simjs's exports (the package ships no types). */
interface Simjs {
  Sim: new () => { addEntity(klass: new (sim: unknown, name?: string) => SimjsEntity & { start(): void }): unknown; simulate(endTime: number): boolean };
  Entity: new (sim: unknown, name?: string) => SimjsEntity;
  Facility: (new (name: string, discipline: number, servers: number) => SimjsFacility) & { FCFS: number };
  Random: new (seed: number) => { exponential(lambda: number): number };
  DataSeries: new (name: string) => { record(value: number): void; count(): number; average(): number };
}

let loaded: Simjs | null = null;

/**
 * simjs's file is a browserify bundle whose exports reach the outside only as `window.Sim`, set when a
 * `window` exists (its last lines); under Node it is loaded with a stand-in `window`, removed after.
 */
function simjs(): Simjs {
  if (loaded !== null) return loaded;
  const g = globalThis as { window?: { Sim?: Simjs } };
  const had = "window" in g;
  const saved = g.window;
  g.window = {};
  try {
    createRequire(import.meta.url)("simjs");
    const sim = g.window.Sim;
    if (sim === undefined) throw new Error("simjs did not set window.Sim");
    loaded = sim;
    return sim;
  } finally {
    if (had) g.window = saved;
    else delete g.window;
  }
}

export interface SimjsResult {
  /** Requests served (every one issued: the run ends when the event list is empty). */
  requests: number;
  meanResponse: number;
}

/** M/M/c at the given utilisation with service mean 1 (ms), `requests` arrivals, on simjs. */
export function runSimjsMMc(o: MMcOptions): SimjsResult {
  const S = simjs();
  const sim = new S.Sim();
  const random = new S.Random(o.seed);
  const server = new S.Facility("server", S.Facility.FCFS, o.c);
  const responses = new S.DataSeries("response");
  const lambda = o.utilisation * o.c; // per ms, service rate 1 per ms
  let issued = 0;
  class Source extends S.Entity {
    start(): void {
      this.arrive();
    }
    arrive(): void {
      if (issued++ >= o.requests) return;
      const t0 = this.time();
      this.useFacility(server, random.exponential(1)).done(() => responses.record(this.time() - t0));
      this.setTimer(random.exponential(lambda)).done(() => this.arrive());
    }
  }
  sim.addEntity(Source);
  sim.simulate(Infinity);
  return { requests: responses.count(), meanResponse: responses.average() };
}

/** The installed simjs's version, for the bench's line. */
export function simjsVersion(): string {
  return (createRequire(import.meta.url)("simjs/package.json") as { version: string }).version;
}
