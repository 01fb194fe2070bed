// The speed limit: an M/M/c queue on a minimal hand-written event loop — a binary heap over typed
// arrays, a ring buffer for the FIFO queue, an inline xorshift generator, nothing allocated per
// event. meshsim's whole-process speed on the same model is compared against it. "Nothing allocated"
// is checked with V8's sampling heap profiler (docs/performance.md, Goal 2, session 27): ≈ 3 MB in
// all for 200,000 requests as for 2 M, against ≈ 118 bytes a request before session 27, when V8
// boxed the generator's state, the heap's top and the sum of responses as HeapNumbers, and one
// `push` site was not inlined.

export interface MMcOptions {
  c: number;
  utilisation: number;
  requests: number;
  seed: number;
}

export interface MMcResult {
  requests: number;
  events: number;
  wallMs: number;
  meanResponse: number;
}

export function runMinimalMMc(o: MMcOptions): MMcResult {
  const started = performance.now();
  const meanService = 1;
  const lambda = (o.utilisation * o.c) / meanService;
  const meanGap = 1 / lambda;
  // xorshift32's state in a typed array, and the heap's top read into the loop's own locals: a double
  // (or an integer of 2^31 or more) stored in a closure's context is a HeapNumber allocated at every
  // store (session 27: before, ≈ 4 a request, 1.3 G instructions more over 2 M requests).
  const state = new Uint32Array(1);
  state[0] = o.seed >>> 0 || 1;
  const uniform = (): number => {
    let s = state[0]!;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    state[0] = s;
    return (s + 0.5) / 4294967296;
  };

  // Heap of (time, kind, arrival time): kind 0 = arrival, 1 = departure.
  let cap = 1024;
  let times = new Float64Array(cap);
  let kinds = new Int8Array(cap);
  let births = new Float64Array(cap);
  let n = 0;
  const grow = (): void => {
    cap *= 2;
    const t2 = new Float64Array(cap); t2.set(times); times = t2;
    const k2 = new Int8Array(cap); k2.set(kinds); kinds = k2;
    const b2 = new Float64Array(cap); b2.set(births); births = b2;
  };
  // Small enough for TurboFan to inline at all three sites (a call boxes its double arguments).
  const push = (t: number, k: number, b: number): void => {
    if (n === cap) grow();
    let i = n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p]! <= t) break;
      times[i] = times[p]!; kinds[i] = kinds[p]!; births[i] = births[p]!;
      i = p;
    }
    times[i] = t; kinds[i] = k; births[i] = b;
  };

  let qcap = 1024;
  let queue = new Float64Array(qcap);
  let qhead = 0, qlen = 0;
  let busy = 0, arrived = 0, done = 0, events = 0;
  // The sum of responses in a typed array: as a local double it was boxed at every departure.
  const sum = new Float64Array(1);
  push(-Math.log(uniform()) * meanGap, 0, 0);
  while (done < o.requests && n > 0) {
    // Pop the top into locals.
    const now = times[0]!, kind = kinds[0]!, birth = births[0]!;
    {
      const t = times[--n]!, k = kinds[n]!, b = births[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && times[c + 1]! < times[c]!) c++;
        if (t <= times[c]!) break;
        times[i] = times[c]!; kinds[i] = kinds[c]!; births[i] = births[c]!;
        i = c;
      }
      times[i] = t; kinds[i] = k; births[i] = b;
    }
    events++;
    if (kind === 0) {
      arrived++;
      if (arrived < o.requests) push(now + -Math.log(uniform()) * meanGap, 0, 0);
      if (busy < o.c) { busy++; push(now + -Math.log(uniform()) * meanService, 1, now); }
      else {
        if (qlen === qcap) {
          const q2 = new Float64Array(qcap * 2);
          for (let k = 0; k < qlen; k++) q2[k] = queue[(qhead + k) % qcap]!;
          queue = q2; qhead = 0; qcap *= 2;
        }
        queue[(qhead + qlen++) % qcap] = now;
      }
    } else {
      done++;
      sum[0] += now - birth;
      if (qlen > 0) {
        const b = queue[qhead]!;
        qhead = (qhead + 1) % qcap; qlen--;
        push(now + -Math.log(uniform()) * meanService, 1, b);
      } else busy--;
    }
  }
  return { requests: done, events, wallMs: performance.now() - started, meanResponse: sum[0]! / done };
}
