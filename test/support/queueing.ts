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
