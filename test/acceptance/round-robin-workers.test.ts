// ROUND_ROBIN as Envoy runs it: one load balancer per worker thread, each with its own position
// (seed_ drawn per balancer; rr_indexes_ per host list: envoyproxy/envoy
// source/extensions/load_balancing_policies/round_robin/round_robin_lb.h). A sidecar's two workers
// therefore cycle independently: with requests alternating between them, consecutive requests
// meet the same host half the time (A A B B … or A B B A A …), where one shared position (meshsim
// before) gave A B A B … Envoy's docs: "each available upstream host is selected in round robin
// order" (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-round-robin).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "./meshsim-cli.js";
import { mesh } from "./mesh-fixture.js";

describe("ROUND_ROBIN per worker", () => {
  it("two workers, two hosts, requests alternating between the workers: half the neighbours repeat", () => {
    const r = run({
      "scenario.yaml": mesh({
        name: "acc-rr-workers", duration: "20s", seed: 1,
        servers: [{ name: "server", replicas: 2, behaviour: "serviceTime: 1ms" }],
        // 10 rps with 1 ms answers: the requests never overlap, so the log's order is theirs.
        load: "rate: 10",
        istio: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}`,
      }),
    }, "--format", "json,accesslog");
    const lines = fs.readFileSync(path.join(r.out, "access.log"), "utf8").split("\n").filter((l) => l.includes(" outbound|"));
    const hosts = lines.map((l) => ({ at: l.slice(1, 25), host: /"(10\.[0-9.]+:8080)"/.exec(l)![1]! }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map((x) => x.host);
    expect(hosts.length).toBeGreaterThan(150);
    let repeats = 0;
    for (let k = 1; k < hosts.length; k++) if (hosts[k] === hosts[k - 1]) repeats++;
    const share = repeats / (hosts.length - 1);
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    // Each host still gets half.
    const a = hosts.filter((h) => h === hosts[0]).length;
    expect(Math.abs(a - hosts.length / 2)).toBeLessThanOrEqual(1);
  });
});
