import { describe, it, expect } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeReports } from "../../src/report/write-reports.js";
import { buildSummary, summaryJson } from "../../src/report/summary.js";
import { renderPrometheus } from "../../src/report/prometheus.js";
import { fixtureRecorder } from "./fixture.js";

const rec = fixtureRecorder();
const summary = buildSummary(rec, { name: "fixture", seed: 1, simulatedSeconds: 40, expectations: [] });

function tmp(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-report-")), "out", "nested");
}

describe("writeReports", () => {
  it("creates the folder and writes the asked formats plus run.json", async () => {
    const dir = tmp();
    await writeReports(dir, new Set(["json", "md", "prom"]), summary, { runInfo: { wallMs: 12.5, eventsPerSecond: 1e6, nodeVersion: "v20" }, recorder: rec });
    expect(fs.readdirSync(dir).sort()).toEqual(["metrics.prom", "report.md", "run.json", "summary.json"]);
    expect(fs.readFileSync(path.join(dir, "summary.json"), "utf8")).toBe(summaryJson(summary));
    expect(fs.readFileSync(path.join(dir, "metrics.prom"), "utf8")).toBe(renderPrometheus(rec));
    expect(JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8"))).toEqual({ wallMs: 12.5, eventsPerSecond: 1e6, nodeVersion: "v20" });
    fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true });
  });

  it("writes only what is asked, accepts the positional form, and needs the recorder for metrics.prom", async () => {
    const dir = tmp();
    await writeReports(dir, new Set(["md"]), summary, { runInfo: {} });
    expect(fs.readdirSync(dir).sort()).toEqual(["report.md", "run.json"]);
    await writeReports(dir, new Set(["prom"]), summary, rec, { node: "v20" });
    expect(fs.readdirSync(dir).sort()).toEqual(["metrics.prom", "report.md", "run.json"]);
    await expect(writeReports(dir, new Set(["prom"]), summary, { runInfo: {} })).rejects.toThrow(/recorder/);
    fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true });
  });

  it("writes report.html with histograms.json beside it (the page's latency bins), and needs the recorder for them", async () => {
    const dir = tmp();
    await writeReports(dir, new Set(["json", "html"]), summary, { runInfo: {}, recorder: rec });
    expect(fs.readdirSync(dir).sort()).toEqual(["histograms.json", "report.html", "run.json", "summary.json"]);
    const h = JSON.parse(fs.readFileSync(path.join(dir, "histograms.json"), "utf8"));
    expect(h.clients.users.count).toBe(summary.clients["users"]!.requests);
    expect(fs.readFileSync(path.join(dir, "report.html"), "utf8")).toContain(`<h1 data-figure="scenario">fixture</h1>`);
    await expect(writeReports(dir, new Set(["html"]), summary, { runInfo: {} })).rejects.toThrow(/recorder/);
    fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true });
  });

  it("keeps wall-clock facts out of summary.json", () => {
    expect(summaryJson(summary)).not.toMatch(/wall|eventsPerSecond|node/i);
  });
});
