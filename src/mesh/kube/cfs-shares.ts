// How a node's CPU is divided among containers without a CPU limit: CFS gives each cgroup CPU in
// proportion to its cpu.shares (cpu.weight on cgroup v2) when they compete, and an idle cgroup's
// share goes to the others. The kubelet sets shares from requests.cpu: milliCPU·1024/1000, at
// least 2 (kubelet pkg/kubelet/cm/helpers_linux.go MilliCPUToShares, MinShares = 2), so a
// container without a request gets almost nothing under contention.
// https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run
// Weighted max-min fairness ("water filling"): no container gets more than it demands, the rest is
// shared in proportion to the shares.

/** cpu.shares the kubelet writes for a CPU request in cores. */
export function cpuShares(requestCores: number): number {
  return Math.max(2, Math.floor((requestCores * 1000 * 1024) / 1000));
}

/** Cores each container gets from a node of `capacityCores`, given what each demands now. */
export function divideNodeCpu(capacityCores: number, containers: readonly { shares: number; demandCores: number }[]): number[] {
  const out = containers.map(() => 0);
  let left = capacityCores;
  let open = containers.map((_, i) => i).filter((i) => containers[i]!.demandCores > 0);
  while (open.length > 0 && left > 1e-12) {
    const weight = open.reduce((s, i) => s + containers[i]!.shares, 0);
    // Containers whose demand is met at the current fair rate take their demand and leave.
    const sated = open.filter((i) => containers[i]!.demandCores - out[i]! <= (left * containers[i]!.shares) / weight + 1e-12);
    if (sated.length === 0) {
      for (const i of open) out[i]! += (left * containers[i]!.shares) / weight;
      left = 0;
      break;
    }
    for (const i of sated) {
      left -= containers[i]!.demandCores - out[i]!;
      out[i] = containers[i]!.demandCores;
    }
    open = open.filter((i) => !sated.includes(i));
  }
  return out;
}
