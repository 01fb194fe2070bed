// istioctl ztunnel-config's names for the kinds, and their short forms: a table of its own so that
// the command line can offer them as choices without loading the command (cli/main.ts).
// https://istio.io/latest/docs/reference/commands/istioctl/#istioctl-ztunnel-config
export const ZTUNNEL_CONFIG_KIND_NAMES: Readonly<Record<string, string>> = {
  all: "all", workload: "workloads", workloads: "workloads", w: "workloads",
  service: "services", services: "services", s: "services", policy: "policies", policies: "policies", p: "policies",
  certificate: "certificates", certificates: "certificates", certs: "certificates", secret: "certificates",
};
export const ZTUNNEL_CONFIG_KINDS = Object.keys(ZTUNNEL_CONFIG_KIND_NAMES);
