// Where each resource was written (its document's file:line:column), for messages about a resource
// as a whole (a duplicate, a budget it drives). Istio's kinds carry no position of their own: they are
// the library's plain API shapes, so positions live beside them, keyed by the object.
import type { AnyResource, SourcePos } from "./model.js";

const positions = new WeakMap<object, SourcePos>();

export function recordPosition(resource: AnyResource, pos: SourcePos): void {
  positions.set(resource, pos);
}

/** The resource's document position; undefined for a resource not read by the loader. */
export function resourcePosition(resource: AnyResource): SourcePos | undefined {
  return positions.get(resource) ?? ("pos" in resource ? resource.pos : undefined);
}
