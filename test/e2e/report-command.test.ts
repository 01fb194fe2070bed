// `meshsim run` writes report.html and histograms.json by default; `meshsim report DIR` draws them
// again from the folder; `--vs` compares two runs; folders that are not a run's output exit 2.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { meshsim, tmpDir } from "../support/cli.js";

const SCENARIO = "scenarios/control-plane/canary-wrong-order.yaml";

const tmp = () => tmpDir("meshsim-report-cli-");
function read(dir: string, f: string): string {
  return fs.readFileSync(path.join(dir, f), "utf8");
}

describe("meshsim report", () => {
  const a = tmp(), b = tmp();
  const runA = meshsim("run", SCENARIO, "--duration", "20s", "--quiet", "--out", a);
  const runB = meshsim("run", SCENARIO, "--duration", "20s", "--quiet", "--out", b, "--seed", "2");

  it("run writes report.html and histograms.json by default, with histograms matching the summary", () => {
    expect(runA.code).toBeLessThanOrEqual(1);
    expect(runB.code).toBeLessThanOrEqual(1);
    for (const f of ["summary.json", "report.md", "report.html", "histograms.json", "metrics.prom", "run.json"]) expect(fs.existsSync(path.join(a, f))).toBe(true);
    const s = JSON.parse(read(a, "summary.json"));
    const h = JSON.parse(read(a, "histograms.json"));
    for (const [name, c] of Object.entries<{ requests: number }>(s.clients)) {
      expect(h.clients[name].bins.reduce((x: number, bin: number[]) => x + bin[2]!, 0)).toBe(c.requests);
    }
    expect(fs.statSync(path.join(a, "histograms.json")).size).toBeLessThan(40_000);
  });

  it("draws report.md and report.html again from the folder, byte for byte", () => {
    const html = read(a, "report.html"), md = read(a, "report.md");
    fs.rmSync(path.join(a, "report.html"));
    fs.writeFileSync(path.join(a, "report.md"), "stale");
    const r = meshsim("report", a, "--quiet");
    expect(r.code).toBe(0);
    expect(read(a, "report.html")).toBe(html);
    expect(read(a, "report.md")).toBe(md);
  });

  it("without histograms.json still draws the page and says why", () => {
    const c = tmp();
    fs.copyFileSync(path.join(a, "summary.json"), path.join(c, "summary.json"));
    const r = meshsim("report", c);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("histograms.json not found");
    expect(read(c, "report.html")).toContain('id="no-histograms"');
  });

  it("--vs prints the comparison and writes comparison.md and comparison.html", () => {
    const out = tmp();
    const r = meshsim("report", a, "--vs", b, "--out", out, "--quiet");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(read(out, "comparison.md"));
    expect(r.stdout).toContain("# meshsim comparison: canary-wrong-order vs canary-wrong-order");
    expect(r.stdout).toContain("| users | both |");
    expect(r.stdout).toContain("| productpage-v1 → reviews-v1 (reviews.default.svc.cluster.local) | both |");
    expect(read(out, "comparison.html")).toContain('id="comparison"');
  });

  it("exits 2 with a message naming the folder when it is not a run's output", () => {
    const empty = tmp();
    const bad = tmp();
    fs.writeFileSync(path.join(bad, "summary.json"), "{ not json");
    const wrong = tmp();
    fs.writeFileSync(path.join(wrong, "summary.json"), JSON.stringify({ scenario: "x" }));
    const cases: [string[], RegExp][] = [
      [["report", path.join(empty, "nope")], /nope: no such folder/],
      [["report", empty], /no summary\.json here/],
      [["report", bad], /summary\.json: not valid JSON/],
      [["report", wrong], /summary\.json: not a meshsim summary \(no "seed"\)/],
      [["report", a, "--vs", empty], /no summary\.json here/],
      [["report", path.join(a, "summary.json")], /not a folder/],
    ];
    for (const [args, msg] of cases) {
      const r = meshsim(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
