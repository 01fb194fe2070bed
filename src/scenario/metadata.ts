// Kubernetes ObjectMeta: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/
import type { ObjectMeta } from "../proxy/api/networking.js";
import { DEFAULTS } from "./defaults.js";
import type { YamlMap } from "./yaml-value.js";

/** Fields the API server sets or meshsim has no use for; accepted without warning. */
const IGNORED = [
  "generateName", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
  "deletionGracePeriodSeconds", "ownerReferences", "finalizers", "managedFields", "selfLink",
];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Reads `metadata` of a resource document. `clusterScoped` resources (Namespace) get namespace "".
 * Returns undefined (with errors recorded) when the name is missing or malformed.
 */
export function readMetadata(doc: YamlMap, creationIndex: number, clusterScoped = false): ObjectMeta | undefined {
  const v = doc.req("metadata");
  const m = v?.map();
  if (!m) return undefined;
  const nameV = m.req("name");
  const name = nameV?.nonEmptyStr();
  if (name !== undefined && !DNS_SUBDOMAIN.test(name)) {
    nameV!.error(`invalid name ${JSON.stringify(name)}: lowercase letters, digits, '-' and '.' only`);
  }
  let namespace = clusterScoped ? "" : DEFAULTS.namespace;
  const nsV = m.get("namespace");
  if (nsV) {
    const ns = nsV.nonEmptyStr();
    if (ns !== undefined) {
      if (!DNS_LABEL.test(ns)) nsV.error(`invalid namespace ${JSON.stringify(ns)}`);
      else if (clusterScoped) nsV.warn("a cluster-scoped resource has no namespace; ignored");
      else namespace = ns;
    }
  }
  const labels = m.get("labels")?.strMap() ?? {};
  const annotations = m.get("annotations")?.strMap() ?? {};
  m.ignore(...IGNORED);
  m.done();
  if (name === undefined || !DNS_SUBDOMAIN.test(name)) return undefined;
  return { name, namespace, labels, annotations, creationIndex };
}
