// Where a page load spends its main thread: a Chromium trace of one load of URL, its
// events summed by name (wasm.CompileLazy: functions compiled on their first call).
// Usage, with dist/ served: node crates/xtask/bench/trace.mjs http://127.0.0.1:8000/
import { chromium } from "@playwright/test";
import { args, executablePath } from "../../../tests/chromium.mjs";
import fs from "node:fs";
const browser = await chromium.launch({ executablePath, args });
const page = await browser.newPage();
// The page reports its first diagram on the console: nothing of the harness runs in it
// during the load (see browser.mjs).
await page.addInitScript(`(() => { const check = () => { if (!window.__ready && document.querySelector('svg[data-testid="diagram"]')) { window.__ready = performance.now(); console.log("ready " + window.__ready); } };
  new MutationObserver(check).observe(document, { subtree: true, childList: true }); })()`);
await browser.startTracing(page, { path: "target/trace.json", categories: ["devtools.timeline", "v8", "v8.wasm", "disabled-by-default-devtools.timeline"] });
const ready = page.waitForEvent("console", { predicate: (m) => m.text().startsWith("ready "), timeout: 60000 });
await page.goto(process.argv[2], { waitUntil: "commit" });
console.log((await ready).text());
await browser.stopTracing();
await browser.close();
const t = JSON.parse(fs.readFileSync("target/trace.json", "utf8"));
const ev = t.traceEvents || t;
// main renderer thread: the one with most RunTask
const threads = {};
for (const e of ev) if (e.ph === "M" && e.name === "thread_name") threads[e.pid + ":" + e.tid] = e.args.name;
const main = Object.entries(threads).filter(([k, n]) => n === "CrRendererMain").map(([k]) => k);
const agg = {};
for (const e of ev) {
  if (e.ph !== "X" || !main.includes(e.pid + ":" + e.tid)) continue;
  agg[e.name] = (agg[e.name] || 0) + (e.dur || 0) / 1000;
}
for (const [k, v] of Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(v.toFixed(1).padStart(8), k);
