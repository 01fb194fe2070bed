// What CPU and memory cost per month at a cloud's per-vCPU-hour and per-GB-hour prices.
// Default prices: AWS Fargate, Linux/x86, us-east-1 — $0.04048 per vCPU-hour and $0.004445 per
// GB-hour (https://aws.amazon.com/fargate/pricing/, as quoted by https://www.vantage.sh/blog/fargate-pricing;
// the same rates EKS pods on Fargate pay). A month is 730 hours, the convention of AWS's pricing
// calculator (8,760 h / 12).

export interface ResourcePrices {
  perVcpuHour: number;
  perGbHour: number;
  currency: string;
}

export const DEFAULT_PRICES: ResourcePrices = { perVcpuHour: 0.04048, perGbHour: 0.004445, currency: "USD" };
export const HOURS_PER_MONTH = 730;

/** Monthly cost of `cores` vCPU and `memoryMB` (10^6 bytes) held for a whole month. */
export function monthlyCost(prices: ResourcePrices, cores: number, memoryMB: number): { cpu: number; memory: number; total: number } {
  const cpu = cores * prices.perVcpuHour * HOURS_PER_MONTH;
  const memory = (memoryMB / 1000) * prices.perGbHour * HOURS_PER_MONTH;
  return { cpu, memory, total: cpu + memory };
}
