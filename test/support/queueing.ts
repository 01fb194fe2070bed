// Closed forms of queueing theory that the accuracy tests compare meshsim with.

/** Erlang C: the probability that an arrival waits in an M/M/c queue (a = lambda/mu offered load). */
export function erlangC(c: number, a: number): number {
  const rho = a / c;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c / (1 - rho);
  return last / (sum + last);
}

/** Mean response time (wait + service) of M/M/c, in the unit of `meanService`. */
export function mmcMeanResponse(c: number, lambdaPerMs: number, meanService: number): number {
  const a = lambdaPerMs * meanService;
  const pw = erlangC(c, a);
  return meanService + (pw * meanService) / (c * (1 - a / c));
}

/** Quantile q of the M/M/1 FIFO response time: exponential with rate mu - lambda. */
export function mm1ResponseQuantile(q: number, lambdaPerMs: number, meanService: number): number {
  return -Math.log(1 - q) / (1 / meanService - lambdaPerMs);
}

/**
 * Pollaczek–Khinchine: the mean response time (wait + service) of M/G/1 from the service time's
 * first two moments, W = E[S] + lambda·E[S²] / (2(1 − rho)).
 */
export function mg1MeanResponse(lambdaPerMs: number, meanS: number, secondMomentS: number): number {
  const rho = lambdaPerMs * meanS;
  return meanS + (lambdaPerMs * secondMomentS) / (2 * (1 - rho));
}

/** Stationary distribution of M/M/c/K (c servers, K in the system in all): p[0..K]. */
export function mmckDistribution(c: number, K: number, lambdaPerMs: number, meanService: number): number[] {
  const a = lambdaPerMs * meanService;
  const w: number[] = [1];
  for (let n = 1; n <= K; n++) w.push((w[n - 1]! * a) / Math.min(n, c));
  const sum = w.reduce((x, y) => x + y, 0);
  return w.map((x) => x / sum);
}

/** M/M/c/K: the share of arrivals turned away (PASTA: p_K) and the admitted requests' mean response. */
export function mmck(c: number, K: number, lambdaPerMs: number, meanService: number): { blocking: number; meanResponse: number } {
  const p = mmckDistribution(c, K, lambdaPerMs, meanService);
  const L = p.reduce((acc, pn, n) => acc + n * pn, 0);
  const blocking = p[K]!;
  return { blocking, meanResponse: L / (lambdaPerMs * (1 - blocking)) };
}

/** Erlang's loss formula B(c, a), by its stable recursion. */
export function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/**
 * A closed system: N customers alternate between an exponential think time (mean Z, infinite
 * server) and a queue of c servers with exponential service (mean S). Exact, as a birth–death chain
 * on the number n at the queue; returns its throughput and the mean response at the queue.
 */
export function closedMachineRepair(N: number, c: number, Z: number, S: number): { throughput: number; meanResponse: number } {
  const w: number[] = [1];
  for (let n = 1; n <= N; n++) w.push((w[n - 1]! * ((N - n + 1) / Z)) / (Math.min(n, c) / S));
  const sum = w.reduce((x, y) => x + y, 0);
  let X = 0;
  let L = 0;
  for (let n = 0; n <= N; n++) {
    X += (w[n]! / sum) * (Math.min(n, c) / S);
    L += (w[n]! / sum) * n;
  }
  return { throughput: X, meanResponse: L / X };
}

/**
 * Mean value analysis of the same closed system with one server (c = 1): R(n) = S·(1 + Q(n−1)),
 * X(n) = n / (Z + R(n)), Q(n) = X(n)·R(n). A second derivation to cross-check the chain.
 */
export function mvaSingleServer(N: number, Z: number, S: number): { throughput: number; meanResponse: number } {
  let Q = 0;
  let R = 0;
  let X = 0;
  for (let n = 1; n <= N; n++) {
    R = S * (1 + Q);
    X = n / (Z + R);
    Q = X * R;
  }
  return { throughput: X, meanResponse: R };
}

/**
 * D/M/1: arrivals every T, exponential service of mean S. The mean response is S / (1 − sigma), sigma
 * the root in (0, 1) of sigma = exp(−(1 − sigma)·T/S), found by fixed-point iteration (a contraction there).
 */
export function dm1MeanResponse(T: number, S: number): number {
  let sigma = 0.5;
  for (let k = 0; k < 10_000; k++) {
    const next = Math.exp(-(1 - sigma) * (T / S));
    if (Math.abs(next - sigma) < 1e-15) break;
    sigma = next;
  }
  return S / (1 - sigma);
}
