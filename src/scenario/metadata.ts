// Kubernetes ObjectMeta: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/
import type { ObjectMeta } from "../proxy/api/networking.js";
import { DEFAULTS } from "./defaults.js";
import type { YamlMap } from "./yaml-value.js";

/** Fields the API server sets or meshsim has no use for; accepted without warning. */
const IGNORED = [
  "generateName", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
  "deletionGracePeriodSeconds", "ownerReferences", "finalizers", "managedFields", "selfLink",
];

// Kubernetes' name rules (k8s.io/apimachinery/pkg/util/validation/validation.go): most objects are
// DNS-1123 subdomains (≤ 253), namespaces DNS-1123 labels (≤ 63), Services DNS-1035 labels (≤ 63, a
// letter first): https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;

/** Why `name` is not a valid name for `kind`, or undefined when it is. */
export function invalidName(kind: string, name: string): string | undefined {
  if (kind === "Namespace") {
    if (name.length > LABEL_MAX) return `must be no more than ${LABEL_MAX} characters (a DNS-1123 label), got ${name.length}`;
    return DNS_LABEL.test(name) ? undefined : "lowercase letters, digits and '-' only, starting and ending with a letter or digit (a DNS-1123 label)";
  }
  if (kind === "Service") {
    if (name.length > LABEL_MAX) return `must be no more than ${LABEL_MAX} characters (a DNS-1035 label), got ${name.length}`;
    return DNS_1035_LABEL.test(name) ? undefined : "lowercase letters, digits and '-' only, starting with a letter and ending with a letter or digit (a DNS-1035 label)";
  }
  if (name.length > SUBDOMAIN_MAX) return `must be no more than ${SUBDOMAIN_MAX} characters (a DNS-1123 subdomain), got ${name.length}`;
  return DNS_SUBDOMAIN.test(name) ? undefined : "lowercase letters, digits, '-' and '.' only (a DNS-1123 subdomain)";
}

/**
 * Reads `metadata` of a resource document. `clusterScoped` resources (Namespace) get namespace "".
 * Returns undefined (with errors recorded) when the name is missing or malformed.
 */
export function readMetadata(doc: YamlMap, creationIndex: number, clusterScoped = false, kind = ""): ObjectMeta | undefined {
  const v = doc.req("metadata");
  const m = v?.map();
  if (!m) return undefined;
  const nameV = m.req("name");
  const name = nameV?.nonEmptyStr();
  const nameProblem = name === undefined ? undefined : invalidName(kind, name);
  if (nameProblem !== undefined) nameV!.error(`invalid name ${JSON.stringify(name!.length > 80 ? `${name!.slice(0, 80)}…` : name)}: ${nameProblem}`);
  let namespace = clusterScoped ? "" : DEFAULTS.namespace;
  const nsV = m.get("namespace");
  if (nsV) {
    const ns = nsV.nonEmptyStr();
    if (ns !== undefined) {
      const nsProblem = invalidName("Namespace", ns);
      if (nsProblem !== undefined) nsV.error(`invalid namespace ${JSON.stringify(ns.length > 80 ? `${ns.slice(0, 80)}…` : ns)}: ${nsProblem}`);
      else if (clusterScoped) nsV.warn("a cluster-scoped resource has no namespace; ignored");
      else namespace = ns;
    }
  }
  const labels = m.get("labels")?.strMap() ?? {};
  const annotations = m.get("annotations")?.strMap() ?? {};
  m.ignore(...IGNORED);
  m.done();
  if (name === undefined || nameProblem !== undefined) return undefined;
  return { name, namespace, labels, annotations, creationIndex };
}
