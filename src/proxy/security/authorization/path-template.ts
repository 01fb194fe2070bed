// AuthorizationPolicy path templates: a path containing `{*}` or `{**}` is an Envoy URI template.
// `{*}` matches one non-empty path segment, `{**}` zero or more characters including "/" and must be the
// last operator. https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/path/match/uri_template/v3/uri_template_match.proto

/** Istio's security.ContainsPathTemplate. */
export function containsPathTemplate(path: string): boolean {
  return path.includes("{*}") || path.includes("{**}");
}

/** Compile a template into an anchored RegExp (compile time only; matching is RegExp.test, allocation-free). */
export function compilePathTemplate(template: string): RegExp {
  let re = "^";
  let i = 0;
  while (i < template.length) {
    if (template.startsWith("{**}", i)) {
      re += ".*";
      i += 4;
    } else if (template.startsWith("{*}", i)) {
      re += "[^/]+";
      i += 3;
    } else {
      re += (template[i] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      i++;
    }
  }
  return new RegExp(re + "$");
}
