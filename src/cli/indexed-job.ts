// A sweep's shards as a Kubernetes Indexed Job: Kubernetes runs the N shards (one pod per completion
// index, JOB_COMPLETION_INDEX set in each), so meshsim needs no scheduler of its own. Each pod writes
// its shard's folder under /results; `meshsim merge` joins them afterwards.
// https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode
import { stringify } from "yaml";

export interface JobSpec {
  name: string;
  shards: number;
  image: string;
  /** The sweep's own arguments (scenario, --set, -r, --duration), without --shard and --out. */
  sweepArgs: readonly string[];
}

/** POSIX-shell single quoting, so values such as `[1,2]` reach meshsim unchanged. */
function quote(s: string): string {
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

export function indexedJobManifest(j: JobSpec): string {
  const command = [
    "npx meshsim sweep", ...j.sweepArgs.map(quote),
    `--shard "$((JOB_COMPLETION_INDEX + 1))/${j.shards}"`,
    `--out "/results/shard-$JOB_COMPLETION_INDEX"`, "--quiet",
  ].join(" ");
  const job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: j.name },
    spec: {
      completionMode: "Indexed",
      completions: j.shards,
      parallelism: j.shards,
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: "Never",
          containers: [{
            name: "meshsim",
            image: j.image,
            workingDir: "/work",
            command: ["sh", "-c", command],
            volumeMounts: [{ name: "results", mountPath: "/results" }],
          }],
          // Replace with a shared volume (a PersistentVolumeClaim) to collect the shards in one place.
          volumes: [{ name: "results", emptyDir: {} }],
        },
      },
    },
  };
  return stringify(job, { lineWidth: 0 });
}
