// Browser measurements for `cargo xtask bench`: page weight, load time next to a minimal
// Yew page, step latency, and the engine in wasm. Usage: node browser.mjs BASE_URL [--quick]
// BASE_URL serves app/ (a copy of dist/), floor/ (the minimal Yew page) and bench.html.
import { chromium } from "@playwright/test";
import { gzipSync } from "node:zlib";
import { args, executablePath } from "../../../tests/chromium.mjs";

const base = process.argv[2];
const quick = process.argv.includes("--quick");
const LOADS = quick ? 3 : 10;
const READY = 'svg[data-testid="diagram"]';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

const browser = await chromium.launch({ executablePath, args });

// Time from navigation start to the first diagram in the DOM, observed from inside the
// page and reported on the console. Nothing of the harness runs in the page meanwhile:
// polling for it (waitForFunction) injected Playwright's script and ran it every frame
// on the main thread, which delayed the playground's load by 20-50 ms and the floor's by
// ~7 ms (median of 10 each way, same build, 2026-12-02).
const READY_MESSAGE = "kmsplay-bench-ready ";
const readyProbe = `(() => {
  const check = () => {
    if (!window.__ready && document.querySelector('${READY}')) {
      window.__ready = performance.now();
      console.log('${READY_MESSAGE}' + window.__ready);
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true });
})()`;

async function loadTimes(url) {
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(readyProbe);
    const ready = page.waitForEvent("console", { predicate: (m) => m.text().startsWith(READY_MESSAGE), timeout: 60_000 });
    await page.goto(url, { waitUntil: "commit" });
    times.push(Number((await ready).text().slice(READY_MESSAGE.length)));
    await context.close();
  }
  return stats(times);
}

// Layout shift while a page arrives (the Layout Instability API's entries, summed from
// the navigation to 700 ms after the first diagram), for the playground and an embed on a
// laptop and on a phone: issue 16's "the user sees no layout jump when they arrive".
async function arrivalShift() {
  const out = [];
  for (const [path, width, height] of [
    ["app/index.html", 1366, 768], ["app/index.html", 390, 844],
    ["app/embed.html?scenario=workmail-revoke-grant&step=3", 1366, 768], ["app/embed.html?scenario=workmail-revoke-grant&step=3", 390, 844],
  ]) {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.__shift = 0;
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__shift += e.value; }).observe({ type: "layout-shift", buffered: true });
    });
    await page.goto(base + path);
    await page.waitForSelector(READY, { timeout: 60_000 });
    await page.waitForTimeout(700);
    out.push({ path, width, height, shift: await page.evaluate(() => window.__shift) });
    await context.close();
  }
  return { pages: out, max: Math.max(...out.map((p) => p.shift)) };
}

async function pageWeight(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const files = [];
  page.on("response", async (r) => {
    try {
      const body = await r.body();
      files.push({ url: r.url().replace(base, ""), bytes: body.length, gzip: gzipSync(body, { level: 9 }).length, origin: new URL(r.url()).origin });
    } catch { /* redirects have no body */ }
  });
  await page.goto(url);
  await page.waitForSelector(READY, { timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  await context.close();
  return { files, gzipTotal: files.reduce((a, f) => a + f.gzip, 0), foreignRequests: files.filter((f) => f.origin !== new URL(base).origin).length };
}

// The page's wasm is in two parts (crates/xtask/src/dist.rs, split_page): what the first
// diagram runs, and the rest, fetched at the first sign of use. Whether a load fetched
// the rest before anyone used the page (it must not: web/deferred-keep.txt is stale
// then), and what the rest weighs once a first click fetches it.
async function deferredWasm(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = [];
  page.on("response", async (r) => {
    if (!r.url().endsWith("_deferred.wasm")) return;
    try {
      fetched.push(gzipSync(await r.body(), { level: 9 }).length);
    } catch { /* no body */ }
  });
  await page.goto(url);
  await page.waitForSelector(READY, { timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  const beforeUse = fetched.length;
  await page.click('button[aria-label^="Next"]');
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(200);
  await context.close();
  return { fetchedBeforeUse: beforeUse, gzip: fetched[0] ?? 0 };
}

async function stepLatency(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector(READY, { timeout: 60_000 });
  const times = await page.evaluate(async () => {
    const next = document.querySelector('button[aria-label^="Next"]');
    if (!next) return [];
    const out = [];
    for (let i = 0; i < 200 && next.getAttribute('aria-disabled') !== 'true' && !next.disabled; i++) {
      const done = new Promise((resolve) => {
        const mo = new MutationObserver(() => { mo.disconnect(); resolve(performance.now()); });
        mo.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      const t0 = performance.now();
      next.click();
      out.push((await done) - t0);
    }
    return out;
  });
  await context.close();
  return times.length ? stats(times) : null;
}

// A documentation page with two embedded flows (docs.html: a <kms-playground> and a plain
// iframe): issue 16's "a page with two embeds loads and compiles the engine once". The
// bytes of wasm over the wire for each request (a revalidated copy is a 304's headers),
// and V8's own count of the modules it compiled and of those it took from its cache of
// compiled modules (the trace's wasm.NewNativeModule and wasm.GetNativeModuleFromCache).
async function twoEmbeds(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const wasm = {};
  cdp.on("Network.responseReceived", (e) => { if (e.response.url.endsWith(".wasm")) wasm[e.requestId] = { bytes: 0 }; });
  cdp.on("Network.loadingFinished", (e) => { if (wasm[e.requestId]) wasm[e.requestId].bytes = e.encodedDataLength; });
  await browser.startTracing(page, { categories: ["v8.wasm", "disabled-by-default-v8.wasm.detailed"] });
  await page.goto(url);
  const frames = async () => page.frames().filter((f) => f.url().includes("embed.html"));
  await page.waitForFunction(() => document.querySelectorAll("iframe").length >= 2, null, { timeout: 60_000 });
  for (const frame of await frames()) await frame.waitForSelector(READY, { timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  const trace = JSON.parse((await browser.stopTracing()).toString("utf8"));
  const count = (name) => (trace.traceEvents || []).filter((e) => e.name === name).length;
  const requests = Object.values(wasm).map((w) => w.bytes);
  const result = {
    embeds: (await frames()).length,
    wasmRequests: requests,
    wasmBytesTransferred: requests.reduce((a, b) => a + b, 0),
    modulesCompiled: count("wasm.NewNativeModule"),
    modulesFromCache: count("wasm.GetNativeModuleFromCache"),
  };
  await context.close();
  return result;
}

async function engine() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + "bench.html");
  await page.waitForFunction(() => typeof window.runBench === "function", null, { timeout: 60_000 });
  const result = await page.evaluate((quick) => window.runBench({ quick }), quick);
  await context.close();
  return result;
}

const EMBED = "app/embed.html?scenario=workmail-basics";
const out = {
  pageWeight: await pageWeight(base + "app/index.html"),
  embedWeight: await pageWeight(base + EMBED),
  deferred: await deferredWasm(base + "app/index.html"),
  load: {
    app: await loadTimes(base + "app/index.html"),
    embed: await loadTimes(base + EMBED),
    floor: await loadTimes(base + "floor/index.html"),
  },
  twoEmbeds: await twoEmbeds(base + "app/docs.html"),
  stepLatency: await stepLatency(base + "app/index.html"),
  arrival: await arrivalShift(),
  ...(await engine()),
};
out.load.ratio = out.load.app.median / out.load.floor.median;
out.load.embedRatio = out.load.embed.median / out.load.floor.median;
await browser.close();
console.log(JSON.stringify(out));
