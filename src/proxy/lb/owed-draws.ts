// A balancer's random stream that lets it skip draws whose values cannot matter, owing them instead:
// the owed draws are made, in order, before the next draw anyone takes from the stream, so every
// number the stream hands out afterwards is the one it would have handed out had they been drawn.
// LEAST_REQUEST over one host draws its two choices (least-request.ts) though both are that host;
// a cluster of one host (most of Bookinfo's) then draws nothing per request until it grows.
import type { UniformSource } from "./load-balancer.js";

/** A uniform source with `skip(n)`: n draws owed, made before its next draw. */
export interface OwingSource extends UniformSource {
  readonly skip: (n: number) => void;
}

/**
 * One owing source per stream: a cluster's stream (rng.stream(name), the same function for the same
 * name) is shared by its per-worker balancers and by the cluster that replaces it under a new config
 * version, which must pay what the one before owed.
 */
const owing = new WeakMap<UniformSource, OwingSource>();

export function owingDraws(stream: UniformSource): OwingSource {
  let s = owing.get(stream);
  if (s === undefined) {
    let owed = 0;
    const pay = (): void => {
      const n = owed;
      owed = 0;
      for (let i = 0; i < n; i++) stream();
    };
    s = Object.assign(() => {
      if (owed > 0) pay();
      return stream();
    }, { skip: (n: number): void => { owed += n; } });
    owing.set(stream, s);
  }
  return s;
}
