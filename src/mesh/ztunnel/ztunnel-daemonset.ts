// The ztunnel DaemonSet: one ztunnel pod on every node of the nodes model, or one on the implicit
// node when the scenario has no Node documents. Created with the world, before any app pod, and
// visible like any pod (summary `pods`, `resources`, metrics.prom's container lines).
// https://istio.io/latest/docs/ambient/migrate/install-ambient-components/
import { SidecarCpu } from "../sidecar/sidecar-cpu.js";
import { ZTUNNEL_PROFILE } from "../../proxy/resources/calibration-profile.js";
import { compileDistribution } from "../../engine/distributions/compile.js";
import type { RandomStreams } from "../../engine/rng.js";
import { nodeLocality } from "../../scenario/kinds/node.js";
import type { Node } from "../../scenario/model.js";
import { Pod } from "../kube/pod.js";
import { Ztunnel, ztunnelWorkerThreads } from "./ztunnel.js";

/** Istio's ztunnel chart: requests 200m CPU and 512Mi, no limits (manifests/charts/ztunnel/values.yaml). */
export const ZTUNNEL_RESOURCES = { requests: { cpuMillis: 200, memoryBytes: 512 * 2 ** 20 } };

export class ZtunnelDaemonSet {
  private readonly byNode = new Map<string, Ztunnel>();
  readonly all: Ztunnel[] = [];

  /**
   * `nodes`: the scenario's Node documents (empty: one implicit node); `newPod` hands out the pod's
   * IP and registers it with the world; `uid` numbers it in connection hashes.
   */
  constructor(nodes: readonly Node[], rng: RandomStreams, newPod: (name: string) => { pod: Pod; uid: number }) {
    const latency = compileDistribution(ZTUNNEL_PROFILE.latency, rng.stream("ztunnel:latency"));
    const list = nodes.length > 0 ? nodes : [null];
    for (const n of list) {
      const { pod, uid } = newPod(`ztunnel-${n === null ? "node" : n.metadata.name}`);
      if (n !== null) {
        pod.node = n.metadata.name;
        pod.locality = nodeLocality(n);
      }
      const cores = n === null ? Infinity : n.allocatableCpuMillis / 1000;
      const cpu = new SidecarCpu(uid, ztunnelWorkerThreads(cores), ZTUNNEL_PROFILE, latency, { cpuCores: Infinity, memoryBytes: Infinity });
      pod.ambientProxy = { kind: "ztunnel", cpu };
      const z = new Ztunnel(pod, cpu);
      this.byNode.set(n === null ? "" : n.metadata.name, z);
      this.all.push(z);
    }
  }

  /** The ztunnel of the node a pod runs on (the implicit node's without nodes). */
  of(pod: { node: string | undefined }): Ztunnel {
    return this.byNode.get(pod.node ?? "") ?? this.all[0]!;
  }
}

/** The labels of a ztunnel pod (Istio's chart). */
export const ZTUNNEL_LABELS: Readonly<Record<string, string>> = Object.freeze({ app: "ztunnel", "sidecar.istio.io/inject": "false" });
