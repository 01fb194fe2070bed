// Every relative link in the user-facing docs (README.md, docs/**/*.md, scenarios/**/README.md) must
// point to a file or folder of the repository and, with a #fragment, to a heading (or an HTML
// id/name anchor) of that file, as GitHub renders it. External links (https:, mailto:) are not fetched.
// The README links every page of docs/, and scenarios/README.md every shipped Simulation, so both
// stay findable as pages and scenarios are added.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Pages other branches add to docs/ in the same wave (issue 14's docs/cpu-and-memory.md, linked from
 * the README before its branch merges). A link to one of them is accepted while the page is absent
 * here; once it exists it is checked like any other. Empty this list once they are all merged.
 */
const PAGES_FROM_OTHER_BRANCHES = new Set<string>([]);

/**
 * New pages of this branch whose row in README.md the lead writes at merge (engineers do not edit
 * README.md). Checked like any page once linked; empty this list when the rows are in.
 */
const PAGES_AWAITING_README_ROW = new Set<string>([]);

function markdownFiles(): string[] {
  const out = ["README.md"];
  const walk = (dir: string, keep: (name: string) => boolean) => {
    if (!fs.existsSync(path.join(ROOT, dir))) return;
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) walk(rel, keep);
      else if (keep(e.name)) out.push(rel);
    }
  };
  walk("docs", (n) => n.endsWith(".md"));
  walk("scenarios", (n) => n === "README.md");
  return out.sort();
}

/** The text outside fenced code blocks and inline code spans, line by line (line numbers kept). */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split("\n").map((line) => {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === undefined) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = undefined;
      return "";
    }
    if (fence !== undefined) return "";
    return line.replace(/(`+)[^`]*?\1/g, "");
  });
}

export interface Link { line: number; target: string }

/** Inline links and images `[text](target "title")`, and reference definitions `[id]: target`. */
export function linksOf(text: string): Link[] {
  const out: Link[] = [];
  proseLines(text).forEach((line, i) => {
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ line: i + 1, target: m[1]! });
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(line);
    if (def) out.push({ line: i + 1, target: def[1]! });
  });
  return out;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered -1, -2. */
export function anchorsOf(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of text.split("\n")) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) { fence = fence === undefined ? f[1]![0] : f[1]![0] === fence ? undefined : fence; continue; }
    if (fence !== undefined) continue;
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]!);
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const plain = h[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link's text only
      .replace(/<[^>]+>/g, "") // inline HTML
      .replace(/[`*]/g, "");
    const slug = plain.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const n = seen.get(slug);
    out.add(n === undefined ? slug : `${slug}-${n}`);
    seen.set(slug, (n ?? 0) + 1);
  }
  return out;
}

/** Problems with the relative links of `file` (a path relative to `root`), as "file:line: message". */
export function brokenLinks(root: string, file: string, pending: ReadonlySet<string> = new Set()): string[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const problems: string[] = [];
  for (const { line, target } of linksOf(text)) {
    if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // external (https:, mailto:)
    const hash = target.indexOf("#");
    const rawPath = hash >= 0 ? target.slice(0, hash) : target;
    const fragment = hash >= 0 ? decodeURIComponent(target.slice(hash + 1)) : undefined;
    if (rawPath.startsWith("/")) { problems.push(`${file}:${line}: ${target}: use a relative link, not a root-absolute one`); continue; }
    const rel = rawPath === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(rawPath)));
    if (rel.startsWith("..")) { problems.push(`${file}:${line}: ${target}: points outside the repository`); continue; }
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) {
      if (!pending.has(rel)) problems.push(`${file}:${line}: ${target}: no such file ${rel}`);
      continue;
    }
    if (fragment === undefined || fragment === "") continue;
    if (!rel.endsWith(".md") || fs.statSync(abs).isDirectory()) {
      // GitHub's line anchors (#L10, #L10-L20) on source files are fine; anything else needs a heading.
      if (!/^L\d+(-L\d+)?$/.test(fragment)) problems.push(`${file}:${line}: ${target}: #${fragment} on a file that is not markdown`);
      continue;
    }
    if (!anchorsOf(fs.readFileSync(abs, "utf8")).has(fragment)) problems.push(`${file}:${line}: ${target}: ${rel} has no heading #${fragment}`);
  }
  return problems;
}

describe("relative links in README.md, docs/ and scenarios/ READMEs", () => {
  const files = markdownFiles();

  it("finds the documentation pages", () => {
    expect(files).toContain("README.md");
    expect(files).toContain("scenarios/README.md");
    expect(files.filter((f) => f.startsWith("docs/")).length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${file}: every relative link points to an existing file and heading`, () => {
      expect(brokenLinks(ROOT, file, PAGES_FROM_OTHER_BRANCHES)).toEqual([]);
    });
  }
});

describe("README.md", () => {
  it("links every page of docs/, so that a user can find it", () => {
    const pages = fs.readdirSync(path.join(ROOT, "docs")).filter((n) => n.endsWith(".md") && n !== "README.md").map((n) => `docs/${n}`);
    const linked = new Set(linksOf(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).map((l) => l.target.split("#")[0]!));
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((p) => !linked.has(p) && !PAGES_AWAITING_README_ROW.has(p))).toEqual([]);
  });
});

describe("scenarios/README.md", () => {
  it("links every shipped scenario file that holds a Simulation", () => {
    const simulations: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (e.name.endsWith(".yaml") && /^kind: Simulation$/m.test(fs.readFileSync(path.join(ROOT, rel), "utf8"))) simulations.push(rel);
      }
    };
    walk("scenarios");
    const linked = new Set(linksOf(fs.readFileSync(path.join(ROOT, "scenarios/README.md"), "utf8"))
      .map((l) => path.posix.join("scenarios", l.target.split("#")[0]!)));
    expect(simulations.length).toBeGreaterThan(20);
    expect(simulations.filter((f) => !linked.has(f))).toEqual([]);
  });
});

describe("the link checker itself", () => {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env["TMPDIR"] ?? "/tmp"), "meshsim-links-"));
  fs.mkdirSync(path.join(dir, "docs"));
  fs.writeFileSync(path.join(dir, "docs", "target.md"), "# The `--set` flag\n\n## Exit codes\n\n## Exit codes\n\n<a id=\"custom\"></a>\n");
  fs.writeFileSync(path.join(dir, "docs", "page.md"), [
    "[ok](target.md) [ok](target.md#the---set-flag) [ok](target.md#exit-codes-1) [ok](target.md#custom)",
    "[ok](../docs/) [ok](https://istio.io/x#y) [self](#a-heading) [def]",
    "",
    "# A heading",
    "",
    "`[not a link](missing.md)`",
    "```",
    "[not a link](missing.md)",
    "```",
    "[bad](missing.md) [bad anchor](target.md#nope) [outside](../../etc/passwd)",
    "[def]: target.md#exit-codes",
    "[bad def]: gone.md",
    "[pending](later.md)",
  ].join("\n"));

  it("accepts good links and reports each broken one with its line", () => {
    expect(brokenLinks(dir, "docs/page.md", new Set(["docs/later.md"]))).toEqual([
      "docs/page.md:10: missing.md: no such file docs/missing.md",
      "docs/page.md:10: target.md#nope: docs/target.md has no heading #nope",
      "docs/page.md:10: ../../etc/passwd: points outside the repository",
      "docs/page.md:12: gone.md: no such file docs/gone.md",
    ]);
  });

  it("reports a link to a page from another branch once that is no longer pending", () => {
    expect(brokenLinks(dir, "docs/page.md")).toContain("docs/page.md:13: later.md: no such file docs/later.md");
  });

  it("numbers repeated headings and drops punctuation as GitHub does", () => {
    expect([...anchorsOf("# A, b: `c`!\n## Model and its limits\n## Model and its limits\n")]).toEqual([
      "a-b-c", "model-and-its-limits", "model-and-its-limits-1",
    ]);
  });
});
