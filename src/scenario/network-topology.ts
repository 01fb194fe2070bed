// The Simulation's `network` settings that matter once pods have nodes: one-way pod-to-pod latency
// by distance (same node, same zone, other zone, other region) and the price of bytes that cross a
// zone or region boundary.
import type { DistributionSpec } from "../engine/distributions/spec.js";
import type { NetworkTopology } from "./model.js";
import { readDistribution } from "./distribution.js";
import type { YamlMap } from "./yaml-value.js";

/**
 * Defaults. Same node: two pods on one node never touch the datacenter network (veth → the node's
 * routing or bridge → veth), so their hop has its own figure, from one-way latencies published for
 * pods on one node: sockperf ping-pong (which reports half the round trip) 17.3 µs between pods on one
 * bare-metal node, kernel 6.2 (spiderpool, https://github.com/spidernet-io/spiderpool/blob/main/docs/concepts/io-performance.md ,
 * "Same node eBPF acceleration test", without acceleration); netperf TCP_RR (1 KiB, mean round trip)
 * 65.6 µs Cilium, 91–105 µs Calico, 45.5 µs macvlan between pods on one node of a 2012 Xeon E5-2620
 * (DaoCloud's CNI performance report, https://github.com/DaoCloud/DaoCloud-docs/blob/main/docs/en/docs/network/performance/cni-performance.md):
 * 17–52 µs one way, so lognormal, median 0.03 ms, p99 0.06 ms (the slowest published mean, Calico on
 * 2012 hardware, sits just under the p99). Same zone: the Simulation's `network.latency` (one datacenter network).
 * Other zone: AWS promises "single-digit millisecond" latency between AZs of a Region
 * (https://aws.amazon.com/about-aws/global-infrastructure/regions_az/); measured cross-AZ round trips
 * are mostly 0.5–1.5 ms (https://www.bitsand.cloud/posts/cross-az-latencies ,
 * https://www.flashgrid.io/news/latencies-between-aws-availability-zones-what-are-they-and-how-to-minimize-them/),
 * so one way: lognormal, median 0.4 ms, p99 1 ms. Other region: tens of ms (us-east-1 ↔ us-west-2 ≈ 60–70 ms
 * round trip, https://www.cloudping.co/grid), one way lognormal median 30 ms, p99 40 ms.
 * Price, per GB that crosses: AWS EC2 data transfer "across Availability Zones ... $0.01/GB in each
 * direction" (https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer_within_the_same_AWS_Region)
 * is billed at both ends — $0.01 as a byte leaves the sender's zone (InterZone-Out) and $0.01 as it
 * enters the receiver's (InterZone-In) — so a GB crossing costs $0.02: measured by sending 10 GB
 * between two AZs (https://www.lastweekinaws.com/blog/aws-cross-az-data-transfer-costs-more-than-aws-says/ ,
 * the same as between regions), and https://www.bitsand.cloud/posts/slashing-data-transfer-costs
 * ("$10 for the egress and $10 for the ingress" a TB). Between Regions $0.02/GB out, inbound free
 * (same AWS page, "Data Transfer OUT from Amazon EC2 to ... other AWS Regions"). GCP charges
 * inter-zone egress only: set pricePerGB 0.01 there.
 */
export const TOPOLOGY_DEFAULTS = {
  sameNode: { dist: "lognormal", median: 0.03, p99: 0.06 } as DistributionSpec,
  crossZone: { dist: "lognormal", median: 0.4, p99: 1 } as DistributionSpec,
  crossRegion: { dist: "lognormal", median: 30, p99: 40 } as DistributionSpec,
  crossZonePricePerGB: 0.02,
  crossRegionPricePerGB: 0.02,
};

/** Reads the distance fields of `spec.network` (the map is the network map; the caller calls done()). */
export function readNetworkTopology(m: YamlMap | undefined, sameZoneDefault: DistributionSpec): NetworkTopology {
  const dist = (k: string, fallback: DistributionSpec): DistributionSpec => {
    const v = m?.get(k);
    return (v && readDistribution(v)) ?? fallback;
  };
  const sameZone = dist("sameZone", sameZoneDefault);
  const cost = m?.get("crossZoneCost")?.map();
  const out: NetworkTopology = {
    sameNode: dist("sameNode", TOPOLOGY_DEFAULTS.sameNode),
    sameZone,
    crossZone: dist("crossZone", TOPOLOGY_DEFAULTS.crossZone),
    crossRegion: dist("crossRegion", TOPOLOGY_DEFAULTS.crossRegion),
    crossZonePricePerGB: cost?.get("pricePerGB")?.num({ min: 0 }) ?? TOPOLOGY_DEFAULTS.crossZonePricePerGB,
    crossRegionPricePerGB: cost?.get("crossRegionPricePerGB")?.num({ min: 0 }) ?? TOPOLOGY_DEFAULTS.crossRegionPricePerGB,
  };
  cost?.done();
  return out;
}
