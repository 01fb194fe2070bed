// report.html as a person sees it: a real scenario's report opened in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core; no browser is ever downloaded). The charts must be
// drawn with the run's data, the topology must match summary.json, the page must log no errors,
// and a screenshot lands in test-output/. Without /usr/bin/chromium the test is skipped, except in
// CI (process.env.CI), where that is a failure.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/meshsim.js");
const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.join(ROOT, "test-output");
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const haveChromium = fs.existsSync(CHROMIUM);

interface Summary {
  scenario: string;
  clients: Record<string, { requests: number; latencyMs: { p50: number; p99: number } }>;
  edges: { source: string; destination: string; service: string; requests: number; codes: Record<string, number> }[];
  pods: Record<string, unknown>;
  events: { kind: string }[];
  mesh: { changes: { t: number; what: string; convergenceMs: number | null; proxiesPushed: number; rejected: number }[]; staleProxiesMax: number };
  timeSeries: {
    windowSeconds: number;
    staleProxies: { t: number; max: number; mean: number }[];
    clients: Record<string, TimePoint[]>;
    edges: { source: string; destination: string; service: string; points: TimePoint[] }[];
  };
}

interface TimePoint { t: number; requests: number; errors: number; seconds?: number }

if (!haveChromium && process.env["CI"]) {
  describe("report.html in a browser", () => {
    it("needs /usr/bin/chromium in CI (.ci/run installs Debian's chromium)", () => {
      throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y --no-install-recommends chromium)`);
    });
  });
} else if (!haveChromium) {
  describe.skip(`report.html in a browser — skipped: ${CHROMIUM} is missing (apt-get install chromium to run it)`, () => {
    it("renders", () => {});
  });
} else {
  describe("report.html in a browser", () => {
    let ctx: BrowserContext;
    let page: Page;
    let summary: Summary;
    let out: string;
    const problems: string[] = [];

    beforeAll(async () => {
      out = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-browser-"));
      // The canary lab in its wrong order: an unknown destination, 503s with NC, two timeline changes;
      // 44.5 s cut into 1 s windows (picked from the run's length) leaves a last window of 0.5 s.
      const r = spawnSync(process.execPath, [BIN, "run", "scenarios/control-plane/canary-wrong-order.yaml", "--duration", "44.5s", "--quiet", "--out", out], { cwd: ROOT, encoding: "utf8" });
      expect(r.stderr).toBe("");
      summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
      const before = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-browser-vs-"));
      spawnSync(process.execPath, [BIN, "run", "scenarios/control-plane/canary-right-order.yaml", "--duration", "45s", "--quiet", "--out", before], { cwd: ROOT });
      spawnSync(process.execPath, [BIN, "report", out, "--vs", before, "--quiet"], { cwd: ROOT });
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

    it("shows the header's figures equal to summary.json", async () => {
      const total = Object.values(summary.clients).reduce((a, c) => a + c.requests, 0);
      const text = await page.locator('[data-figure="requests"]').innerText();
      expect(Number(text.replace(/,/g, ""))).toBe(total);
      expect(await page.locator('h1[data-figure="scenario"]').innerText()).toBe(summary.scenario);
      for (const [name, c] of Object.entries(summary.clients)) {
        const p99 = await page.locator(`[data-figure="p99"][data-client="${name}"]`).innerText();
        expect(Number(p99.replace(/[, ms]/g, ""))).toBe(c.latencyMs.p99);
      }
    });

    it("draws each client's histogram from its bins (the bars hold every request) and its CDF", async () => {
      for (const [name, c] of Object.entries(summary.clients)) {
        const bars = page.locator(`svg.hist[data-client="${name}"] rect.bar`);
        expect(await bars.count()).toBeGreaterThan(5);
        const counts = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-count"))));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(c.requests);
        const d = await page.locator(`svg.cdf[data-client="${name}"] path.cdf-line`).getAttribute("d");
        expect(d?.length ?? 0).toBeGreaterThan(50);
      }
      await page.locator('button[data-scale="linear"]').first().click();
      for (const [name, c] of Object.entries(summary.clients)) {
        const counts = await page.locator(`svg.hist[data-client="${name}"] rect.bar`).evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-count"))));
        expect(counts.length).toBeGreaterThan(0);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(c.requests);
      }
      await page.locator('button[data-scale="log"]').first().click();
    });

    it("draws one topology node per workload and one arrow per edge of summary.json", async () => {
      const workloads = new Set<string>();
      for (const e of summary.edges) { workloads.add(e.source); workloads.add(e.destination); }
      for (const p of Object.keys(summary.pods)) workloads.add(/^(.*)-\d+(?:\.[a-z0-9-]+)?$/.exec(p)![1]!);
      const nodes = await page.locator("svg.topology g.node").evaluateAll((els) => els.map((e) => e.getAttribute("data-node")));
      expect(nodes.sort()).toEqual([...workloads].sort());
      const edges = await page.locator("svg.topology path.edge").evaluateAll((els) =>
        els.map((e) => [e.getAttribute("data-source"), e.getAttribute("data-destination"), e.getAttribute("data-service"), Number(e.getAttribute("data-requests"))]));
      expect(edges).toEqual(summary.edges.map((e) => [e.source, e.destination, e.service, e.requests]));
      expect(await page.locator("svg.topology g.edge-label").count()).toBe(summary.edges.length);
      expect(await page.locator("svg.topology path.edge-failure").count()).toBeGreaterThan(0);
    });

    it("marks the timeline's changes on the time series", async () => {
      const changes = summary.events.filter((e) => e.kind !== "ejection" && e.kind !== "unejection").length;
      expect(changes).toBe(2);
      const clients = Object.keys(summary.clients).length;
      expect(await page.locator("svg.ts-latency").count()).toBe(clients);
      expect(await page.locator("svg.ts-latency g.event-mark").count()).toBe(changes * clients);
      expect(await page.locator("svg.ts-throughput rect.ok-bar").count()).toBeGreaterThan(3);
    });

    it("puts the calls between services that failed next to the clients' view in the headline", async () => {
      const internal = summary.edges.filter((e) => !(e.source in summary.clients))
        .reduce((n, e) => n + Object.entries(e.codes).filter(([c]) => Number(c) === 0 || Number(c) >= 500).reduce((a, [, v]) => a + v, 0), 0);
      expect(internal).toBeGreaterThan(500);
      const head = await page.locator('[data-figure="headline"]').innerText();
      expect(head).toMatch(/^0% of user requests failed \(0 of [\d,]+\); ([\d,]+) of [\d,]+ calls between services failed/);
      expect(Number(/; ([\d,]+) of/.exec(head)![1]!.replace(/,/g, ""))).toBe(internal);
      expect(Number(await page.locator('[data-figure="internalFailed"]').getAttribute("data-value"))).toBe(internal);
    });

    it("draws each edge's series, the failing one first, another when picked in the list", async () => {
      const series = summary.timeSeries.edges;
      const select = page.locator("#edge-series-select");
      expect(await select.locator("option").count()).toBe(series.length);
      const nc = series.findIndex((e) => e.source === "productpage-v1" && e.destination === "unknown");
      expect(await select.inputValue()).toBe(String(nc));
      const errRates = async () => page.locator("svg.ts-throughput[data-edge] rect.err-bar").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-rate"))));
      const ws = summary.timeSeries.windowSeconds;
      const drawnErrors = (await errRates()).reduce((a, r, i) => a + r * (series[nc]!.points[i]!.seconds ?? ws), 0);
      expect(Math.round(drawnErrors)).toBe(series[nc]!.points.reduce((a, p) => a + p.errors, 0));
      const other = series.findIndex((e) => e.source === "productpage-v1" && e.destination === "reviews-v3");
      await select.selectOption(String(other));
      const edge = `${series[other]!.source} → ${series[other]!.destination} (${series[other]!.service})`;
      expect(await page.locator("svg.ts-throughput[data-edge]").getAttribute("data-edge")).toBe(edge);
      expect((await errRates()).every((r) => r === 0)).toBe(true);
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.locator(".ts-edge-card").screenshot({ path: path.join(SHOTS, "report-edge-series.png") });
    });

    it("draws the last, partial window's rate over the time it covered", async () => {
      const [name, points] = Object.entries(summary.timeSeries.clients)[0]!;
      const last = points[points.length - 1]!;
      expect(summary.timeSeries.windowSeconds).toBe(1);
      expect(last.seconds).toBe(0.5);
      const rates = await page.locator(`svg.ts-throughput[data-client="${name}"] rect.ok-bar`).evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-rate"))));
      expect(rates).toHaveLength(points.length);
      expect(rates[rates.length - 1]).toBeCloseTo(last.requests / 0.5, 6);
      // Full windows and the partial one show the same load (~ users' rate), not half of it.
      expect(rates[rates.length - 1]! / rates[rates.length - 3]!).toBeGreaterThan(0.6);
    });

    it("draws the proxies on stale config over time and lists each push's convergence", async () => {
      const points = summary.timeSeries.staleProxies;
      const drawn = await page.locator("svg.stale-proxies circle.stale-point").evaluateAll((els) =>
        els.map((e) => [Number(e.getAttribute("data-t")), Number(e.getAttribute("data-max")), Number(e.getAttribute("data-mean"))]));
      expect(drawn.length).toBeGreaterThan(3);
      expect(drawn).toEqual(points.map((p) => [p.t, p.max, p.mean]));
      // The windows of the two changes had every proxy behind for a moment.
      expect(Math.max(...drawn.map((d) => d[1]!))).toBe(summary.mesh.staleProxiesMax);
      expect(summary.mesh.staleProxiesMax).toBeGreaterThan(0);
      expect(await page.locator("svg.stale-proxies g.event-mark").count()).toBe(2);
      expect(summary.mesh.changes).toHaveLength(2);
      const rows = await page.locator("table.convergence tbody tr").evaluateAll((els) => els.map((e) => [...e.querySelectorAll("td")].map((td) => td.textContent)));
      expect(rows).toEqual(summary.mesh.changes.map((c) => [`${c.t} s`, "config", c.what, `${c.convergenceMs} ms`, String(c.proxiesPushed), String(c.rejected)]));
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.locator("#control-plane").screenshot({ path: path.join(SHOTS, "report-control-plane.png") });
    });

    it("logs no errors, and looks right (screenshot in test-output/)", async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, "report-canary-wrong-order.png"), fullPage: true });
      const cmp = await ctx.newPage();
      cmp.on("pageerror", (e) => problems.push(`comparison page error: ${e.message}`));
      cmp.on("console", (m) => { if (m.type() === "error") problems.push(`comparison console: ${m.text()}`); });
      await cmp.goto(`file://${path.join(out, "comparison.html")}`);
      await cmp.waitForSelector("body[data-rendered=true]", { timeout: 10_000 });
      expect(await cmp.locator("svg.compare g.row").count()).toBeGreaterThanOrEqual(Object.keys(summary.clients).length + summary.edges.length);
      await cmp.screenshot({ path: path.join(SHOTS, "comparison-canary.png"), fullPage: true });
      expect(problems).toEqual([]);
    });
  });
}
