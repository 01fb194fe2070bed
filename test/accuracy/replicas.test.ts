// Replicas behind a Service with no mesh: kube-proxy (iptables mode, Linux's default) sends each new
// connection to an endpoint drawn at random with equal probability
// (https://kubernetes.io/docs/reference/networking/virtual-ips/#proxy-mode-iptables). A random split
// of a Poisson stream is Poisson, so n replicas of one slot at total rate λ are n independent M/M/1
// queues at λ/n: the mean response is that of M/M/1 at λ/n, and each pod's utilisation is λE[S]/n.
// (Round robin would give each pod Erlang-2 arrivals and a shorter wait: E2/M/1, 1.98 ms here
// against M/M/1's 2.5 ms.) Tolerance: 4 standard errors over 8 replications.
import { describe, expect, it } from "vitest";
import { mmcMeanResponse } from "../support/queueing.js";
import { estimate, runQueue, zScore } from "../support/queue-scenario.js";

describe("replicas behind kube-proxy split the load at random", () => {
  it("2 replicas of one slot at 1200 rps: mean response of M/M/1 at 600 rps, utilisation 0.6 each", () => {
    const mean: number[] = [], util0: number[] = [], util1: number[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const s = runQueue({
        stations: [{ name: "server", replicas: 2, concurrency: 1, script: "[{compute: {dist: exponential, mean: 1ms}}]" }],
        load: { rate: 1200 }, durationS: 60, warmupS: 2,
      }, seed);
      mean.push(s.clients["users"]!.latencyMs.mean);
      util0.push(s.pods["server-0"]!.utilization!);
      util1.push(s.pods["server-1"]!.utilization!);
    }
    expect(zScore(estimate(mean), mmcMeanResponse(1, 0.6, 1))).toBeLessThan(4);
    expect(zScore(estimate(util0), 0.6)).toBeLessThan(4);
    expect(zScore(estimate(util1), 0.6)).toBeLessThan(4);
  });
});
