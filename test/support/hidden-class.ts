// Whether two objects share V8's hidden class (map): a property read in optimized code stays
// monomorphic only while every object it sees has the same one. Uses V8's %HaveSameMap, enabled for
// functions compiled after the flag is set (https://v8.dev/docs/hidden-classes).
import v8 from "node:v8";

v8.setFlagsFromString("--allow-natives-syntax");
const haveSameMap = new Function("a", "b", "return %HaveSameMap(a, b)") as (a: object, b: object) => boolean;

/** The number of distinct hidden classes among `objects`. */
export function hiddenClasses(objects: readonly object[]): number {
  const classes: object[] = [];
  for (const o of objects) if (!classes.some((c) => haveSameMap(c, o))) classes.push(o);
  return classes.length;
}
