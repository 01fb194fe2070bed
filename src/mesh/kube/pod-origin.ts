// The identity a pod's requests carry (source workload and namespace): one Origin object per pod, so
// a request hop compares and stores a reference rather than building one.
import type { Origin } from "../transport.js";
import type { Pod } from "./pod.js";

const origins = new WeakMap<Pod, Origin>();

/** One Origin object per pod (the identity its requests carry). */
export function originOf(pod: Pod): Origin {
  let o = origins.get(pod);
  if (o === undefined) {
    o = { pod, workload: pod.workload, namespace: pod.namespace };
    origins.set(pod, o);
  }
  return o;
}
