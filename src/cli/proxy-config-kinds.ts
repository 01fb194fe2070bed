// istioctl proxy-config's names for the config kinds, and their short forms: a table of its own so
// that the command line can offer them as choices without loading the command (cli/main.ts).
// https://istio.io/latest/docs/reference/commands/istioctl/#istioctl-proxy-config
export const PROXY_CONFIG_KIND_NAMES: Readonly<Record<string, string>> = {
  all: "all", listener: "listeners", listeners: "listeners", l: "listeners",
  route: "routes", routes: "routes", r: "routes", cluster: "clusters", clusters: "clusters", c: "clusters",
  endpoint: "endpoints", endpoints: "endpoints", ep: "endpoints", eds: "endpoints", secret: "secrets", secrets: "secrets", s: "secrets",
};
export const PROXY_CONFIG_KINDS = Object.keys(PROXY_CONFIG_KIND_NAMES);
