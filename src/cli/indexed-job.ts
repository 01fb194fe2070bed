// A sweep's shards as Kubernetes Jobs, printed by `meshsim sweep --job N`: an Indexed Job runs the N
// shards (one pod per completion index, JOB_COMPLETION_INDEX set in each), so meshsim needs no
// scheduler of its own, and a second Job merges them. Both write to one PersistentVolumeClaim, which
// must be ReadWriteMany when the pods can land on several nodes.
// https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode
// https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
import { stringify } from "yaml";

export interface JobSpec {
  /** The Indexed Job's name (the merge Job adds "-merge"): a DNS-1123 label of ≤ 57 characters. */
  name: string;
  shards: number;
  /** An image with `meshsim` on its PATH and the scenario files under /work. */
  image: string;
  claimName: string;
  /** The sweep's own arguments (scenario, --set, -r, --duration), without --shard and --out. */
  sweepArgs: readonly string[];
}

/** POSIX-shell single quoting, so values such as `[1,2]` reach meshsim unchanged. */
function quote(s: string): string {
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

/**
 * One simulation per pod at a time (a sweep's runs are single-threaded): a core, and memory for the
 * largest scenarios the bench measures (1,000 services peak under 300 MB) with headroom.
 */
const RESOURCES = { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } };
/** How long the merge Job waits for the shards before Kubernetes stops it (a shard pod that died). */
const MERGE_DEADLINE_S = 24 * 3600;

function container(image: string, script: string): Record<string, unknown> {
  return {
    name: "meshsim",
    image,
    workingDir: "/work",
    command: ["sh", "-c", script],
    resources: RESOURCES,
    volumeMounts: [{ name: "results", mountPath: "/results" }],
  };
}

function podSpec(image: string, claimName: string, script: string): Record<string, unknown> {
  return {
    restartPolicy: "Never",
    containers: [container(image, script)],
    volumes: [{ name: "results", persistentVolumeClaim: { claimName } }],
  };
}

export function indexedJobManifest(j: JobSpec): string {
  const root = `/results/${j.name}`;
  // Exit 1 (an `expect` failed in one of the shard's runs) is a result, not a failed pod: the merge
  // reports it. Exit 2 or 3 leaves FAILED in the shard's folder, so that the merge stops waiting.
  const shard = [
    `meshsim sweep ${j.sweepArgs.map(quote).join(" ")} --shard "$((JOB_COMPLETION_INDEX + 1))/${j.shards}"`,
    `--out "${root}/shard-$JOB_COMPLETION_INDEX" --quiet;`,
    `code=$?; if [ "$code" -gt 1 ]; then mkdir -p "${root}/shard-$JOB_COMPLETION_INDEX";`,
    `echo "$code" > "${root}/shard-$JOB_COMPLETION_INDEX/FAILED"; exit "$code"; fi`,
  ].join(" ");
  const dirs = Array.from({ length: j.shards }, (_, i) => `${root}/shard-${i}`);
  const merge = [
    `for d in ${dirs.join(" ")}; do`,
    `until [ -f "$d/shard.json" ]; do if [ -f "$d/FAILED" ]; then echo "meshsim: $d failed" >&2; exit 3; fi; sleep 10; done; done;`,
    `meshsim merge ${dirs.join(" ")} --out "${root}/sweep"`,
  ].join(" ");
  const shards = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: j.name, labels: { "app.kubernetes.io/name": "meshsim" } },
    spec: {
      completionMode: "Indexed",
      completions: j.shards,
      parallelism: j.shards,
      backoffLimit: 0,
      template: { metadata: { labels: { "app.kubernetes.io/name": "meshsim" } }, spec: podSpec(j.image, j.claimName, shard) },
    },
  };
  const merger = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: `${j.name}-merge`, labels: { "app.kubernetes.io/name": "meshsim" } },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: MERGE_DEADLINE_S,
      template: { metadata: { labels: { "app.kubernetes.io/name": "meshsim" } }, spec: podSpec(j.image, j.claimName, merge) },
    },
  };
  const head = [
    `# meshsim sweep as ${j.shards} shard(s) and a merge. Apply with \`kubectl apply -f <this file>\`;`,
    `# results in the PersistentVolumeClaim ${j.claimName}, under ${root}/ (the summary in ${root}/sweep/).`,
    `# Before applying it again, delete both Jobs and ${root}/ (the merge would find the old shards).`,
  ].join("\n");
  return `${head}\n${stringify(shards, { lineWidth: 0 })}---\n${stringify(merger, { lineWidth: 0 })}`;
}
