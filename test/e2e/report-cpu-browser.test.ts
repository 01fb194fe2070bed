// report.html's CPU and memory section in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core, as report-browser.test.ts): the CFS-throttling lab's per-pod CPU chart must draw
// summary.json's series (one line per container, the limit, one red bar per window with throttled
// periods), on the latency charts' time axis, and the tables must hold summary.json's figures.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { Summary } from "../../src/report/summary-types.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/meshsim.js");
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

if (!fs.existsSync(CHROMIUM) && process.env["CI"]) {
  describe("report.html's CPU charts in a browser", () => {
    it("needs /usr/bin/chromium in CI", () => {
      throw new Error(`${CHROMIUM} is missing`);
    });
  });
} else if (!fs.existsSync(CHROMIUM)) {
  describe.skip(`report.html's CPU charts in a browser — skipped: ${CHROMIUM} is missing`, () => {
    it("renders", () => {});
  });
} else {
  describe("report.html's CPU charts in a browser", () => {
    let ctx: BrowserContext;
    let page: Page;
    let summary: Summary;
    const problems: string[] = [];

    beforeAll(async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-cpu-browser-"));
      const r = spawnSync(process.execPath, [BIN, "run", "scenarios/cpu/cfs-throttling.yaml", "--duration", "60s", "--quiet", "--out", out], { cwd: ROOT, encoding: "utf8" });
      expect(r.stderr).toBe("");
      summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
      ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-chromium-")), {
        executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1366, height: 900 }, offline: true,
      });
      page = await ctx.newPage();
      page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`); });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      await page.goto(`file://${path.join(out, "report.html")}`);
      await page.waitForSelector("body[data-rendered=true]", { timeout: 10_000 });
    }, 60_000);

    afterAll(async () => {
      await ctx?.close();
    });

    it("logs no errors", () => {
      expect(problems).toEqual([]);
    });

    it("draws one chart per pod with one line per container and each container's limit", async () => {
      const ts = summary.timeSeries.containers!;
      expect(ts.windowSeconds).toBe(1);
      const pods = Object.keys(ts.pods);
      expect(await page.locator("#cpu-charts svg.cpu-chart").evaluateAll((els) => els.map((e) => e.getAttribute("data-pod")))).toEqual(pods);
      for (const pod of pods) {
        const lines = await page.locator(`svg.cpu-chart[data-pod="${pod}"] path.cpu-line`).evaluateAll((els) => els.map((e) => e.getAttribute("data-container")));
        expect(lines).toEqual(Object.keys(ts.pods[pod]!));
        const limits = await page.locator(`svg.cpu-chart[data-pod="${pod}"] line.cpu-limit`).evaluateAll((els) => els.map((e) => [e.getAttribute("data-container"), Number(e.getAttribute("data-limit"))]));
        const want = Object.entries(summary.pods[pod]!.containers!).filter(([, c]) => c.cpuLimitCores !== undefined).map(([n, c]) => [n, c.cpuLimitCores]);
        expect(limits).toEqual(want);
      }
    });

    it("draws a red bar for every window with throttled periods, holding its count", async () => {
      const pts = summary.timeSeries.containers!.pods["checkout-0"]!["checkout"]!;
      const throttled = pts.filter((p) => p.throttledPeriods > 0);
      expect(throttled.length).toBeGreaterThan(5);
      const bars = await page.locator('svg.cpu-chart[data-pod="checkout-0"] rect.throttle-bar[data-container="checkout"]')
        .evaluateAll((els) => els.map((e) => [Number(e.getAttribute("data-t")), Number(e.getAttribute("data-periods"))]));
      expect(bars).toEqual(throttled.map((p) => [p.t, p.throttledPeriods]));
      // The series hold the measured periods: all of the container's throttling after the warm-up.
      expect(pts.reduce((a, p) => a + p.throttledPeriods, 0)).toBeLessThanOrEqual(summary.pods["checkout-0"]!.containers!["checkout"]!.throttledPeriods);
    });

    it("shares the latency charts' time axis (same width, same warm-up band)", async () => {
      const band = (sel: string) => page.locator(`${sel} rect.warmup`).first().evaluate((e) => [e.getAttribute("x"), e.getAttribute("width")]);
      const width = (sel: string) => page.locator(sel).first().evaluate((e) => e.getAttribute("width"));
      expect(await band("svg.cpu-chart")).toEqual(await band("svg.ts-latency"));
      expect(await width("svg.cpu-chart")).toEqual(await width("svg.ts-latency"));
    });

    it("lists every container's figures and the mesh's cost from summary.json", async () => {
      const rows = await page.locator("table#containers tbody tr").evaluateAll((els) => els.map((e) => [e.getAttribute("data-pod"), e.getAttribute("data-container")]));
      const want = Object.entries(summary.pods).flatMap(([pod, p]) => Object.keys(p.containers ?? {}).map((c) => [pod, c]));
      expect(rows).toEqual(want);
      const cost = summary.mesh.cost!;
      expect(await page.locator('#mesh-cost [data-figure="proxyCores"]').innerText()).toBe(String(cost.proxyCores));
      expect(await page.locator('#mesh-cost [data-figure="costPerMonth"]').innerText()).toBe(`${cost.perMonth.total} ${cost.perMonth.currency}`);
    });
  });
}
