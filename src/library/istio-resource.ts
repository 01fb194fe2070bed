// Istio's own YAML for the library: one document (a YAML string or an already parsed object) read by
// the very readers `meshsim run` uses, with the same validation and the same messages
// (`<input>:line:column: error: spec.http[0].fault.delay.fixedDelay: ...`, thrown as ScenarioError).
// What comes out is what the route, load-balancing and security functions take: durations in ms,
// Istio's field names otherwise — `fixedDelay: 7s` becomes `fault.delay.fixedDelayMs: 7000`, where a
// plain YAML parse handed to matchHttpRoutes silently had no fault at all (meshsim issue 20, item 4).
import { stringify } from "yaml";
import type { AuthorizationPolicy, PeerAuthentication, RequestAuthentication } from "../proxy/api/security.js";
import type { DestinationRule, Gateway, ServiceEntry, Sidecar, VirtualService } from "../proxy/api/networking.js";
import { ScenarioError } from "../scenario/diagnostic.js";
import { LoadState } from "../scenario/load-state.js";
import type { Diagnostic } from "../scenario/model.js";
import { readDocument } from "../scenario/resource-reader.js";
import { readYamlText } from "../scenario/source-file.js";
import { DiagnosticSink } from "../scenario/yaml-value.js";

/** Any Istio resource meshsim reads, as the library's functions take it. */
export type AnyIstioResource =
  | VirtualService | DestinationRule | Gateway | ServiceEntry | Sidecar
  | PeerAuthentication | AuthorizationPolicy | RequestAuthentication;

/** The kinds `parseIstioResource` accepts (networking.istio.io and security.istio.io). */
export type IstioKind = AnyIstioResource["kind"];

const ISTIO_KINDS: ReadonlySet<string> = new Set<IstioKind>([
  "VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar",
  "PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication",
]);

export interface ParseOptions {
  /** The name positions are reported against (a file path, or the default "<input>"). */
  file?: string;
}

/** What `parseIstioResources` read: the resources in order, and the warnings (e.g. unknown fields, ignored). */
export interface ParsedIstioResources {
  resources: AnyIstioResource[];
  warnings: Diagnostic[];
}

/** YAML text, one parsed document (as the `yaml` package or JSON.parse gives it), or a list of them. */
export type IstioInput = string | Readonly<Record<string, unknown>> | readonly Readonly<Record<string, unknown>>[];

function toText(input: IstioInput, file: string, sink: DiagnosticSink): string | undefined {
  if (typeof input === "string") return input;
  const docs = Array.isArray(input) ? input : [input];
  try {
    return docs.map((d) => stringify(d)).join("---\n");
  } catch (e) {
    sink.error({ file, line: 1, column: 1 }, "", `cannot read the object as YAML: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * Every Istio resource in the input (a multi-document YAML string, a `v1 List`, an object or a list of
 * objects). Throws ScenarioError listing every error, as `meshsim run` prints them; a document of
 * another kind (Deployment, Service, meshsim's own) is an error here, not skipped.
 */
export function parseIstioResources(input: IstioInput, options: ParseOptions = {}): ParsedIstioResources {
  const file = options.file ?? "<input>";
  const sink = new DiagnosticSink();
  const state = new LoadState(sink);
  const resources: AnyIstioResource[] = [];
  const text = toText(input, file, sink);
  for (const root of text === undefined ? [] : readYamlText(text, file, sink)) {
    const kind = root.map()?.get("kind");
    const name = kind?.isString ? kind.str() : undefined;
    if (name !== undefined && !ISTIO_KINDS.has(name)) {
      kind!.error(`${JSON.stringify(name)} is not an Istio resource meshsim reads (one of ${[...ISTIO_KINDS].join(", ")})`);
      continue;
    }
    for (const r of readDocument(root, state)) {
      if (r.kind === "resource") resources.push(r.resource as AnyIstioResource);
    }
  }
  state.runDeferred();
  if (sink.errors.length > 0) throw new ScenarioError(sink.errors);
  if (resources.length === 0 && sink.warnings.length > 0) throw new ScenarioError(sink.warnings.map((w) => ({ ...w, severity: "error" as const })));
  return { resources, warnings: sink.warnings };
}

/**
 * Exactly one Istio resource. With `kind`, the result is typed as that kind, and any other kind is an
 * error. Throws ScenarioError (`<input>:line:column: error: field.path: message`).
 *
 * ```ts
 * const vs = parseIstioResource(yamlText, { kind: "VirtualService" });
 * matchHttpRoutes(vs.spec.http, request)?.fault; // { delay: { fixedDelayMs: 7000, ... } }
 * ```
 */
export function parseIstioResource<K extends IstioKind>(input: IstioInput, options: ParseOptions & { kind: K }): Extract<AnyIstioResource, { kind: K }>;
export function parseIstioResource(input: IstioInput, options?: ParseOptions): AnyIstioResource;
export function parseIstioResource(input: IstioInput, options: ParseOptions & { kind?: IstioKind } = {}): AnyIstioResource {
  const file = options.file ?? "<input>";
  const { resources } = parseIstioResources(input, options);
  const fail = (message: string): never => {
    throw new ScenarioError([{ severity: "error", pos: { file, line: 1, column: 1 }, path: "", message }]);
  };
  if (resources.length !== 1) fail(`expected one Istio resource, found ${resources.length}`);
  const r = resources[0]!;
  if (options.kind !== undefined && r.kind !== options.kind) {
    const pos = "pos" in r ? (r as { pos: Diagnostic["pos"] }).pos : { file, line: 1, column: 1 };
    throw new ScenarioError([{ severity: "error", pos, path: "kind", message: `expected a ${options.kind}, found a ${r.kind}` }]);
  }
  return r;
}
