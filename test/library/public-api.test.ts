// The package's public list of values is exactly what docs/library-api.md documents: a name added to
// an entry point without a line in the doc (or documented but gone) fails here.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as meshsim from "../../src/index.js";
import * as arbitraries from "../../src/arbitraries/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const doc = fs.readFileSync(path.join(ROOT, "docs/library-api.md"), "utf8");

/** Backticked names in the first cell of the tables of a part of the doc (`OUTCOME_*` is a prefix). */
function documented(part: string): { names: Set<string>; prefixes: string[] } {
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const line of part.split("\n")) {
    const cell = /^\| ([^|]+) \|/.exec(line)?.[1];
    if (cell === undefined || cell === "name" || cell.startsWith("---")) continue;
    for (const m of cell.matchAll(/`([A-Za-z_]\w*)(\*)?`/g)) { if (m[2]) prefixes.push(m[1]!); else names.add(m[1]!); }
  }
  return { names, prefixes };
}

function check(mod: Record<string, unknown>, part: string): void {
  const { names, prefixes } = documented(part);
  const exported = Object.keys(mod).sort();
  const undocumented = exported.filter((n) => !names.has(n) && !prefixes.some((p) => n.startsWith(p)));
  expect(undocumented).toEqual([]);
  expect([...names].filter((n) => !(n in mod))).toEqual([]);
  for (const p of prefixes) expect(exported.some((n) => n.startsWith(p))).toBe(true);
}

const [main, arbs] = doc.split("## `meshsim/arbitraries`");

describe("the public API list", () => {
  it("`meshsim` exports exactly the values docs/library-api.md documents", () => check(meshsim, main!));
  it("`meshsim/arbitraries` exports exactly the values documented under its heading", () => check(arbitraries, arbs!));
  it("is a short list, not every internal helper (it was 258 names)", () => {
    expect(Object.keys(meshsim).length).toBeLessThan(100);
  });
});
