// The profile behind web/deferred-keep.txt (`cargo xtask deferred-profile`): loads the
// page built with binaryen's instrumented module, looks at it and walks through its first
// flow, and writes what the module's `__write_profile` reports: which functions ran.
// Usage: node deferred-profile.mjs BASE_URL OUT_DIR (one NAME.profile per visit)
import { chromium } from "@playwright/test";
import { args, executablePath } from "../../../tests/chromium.mjs";
import fs from "node:fs";

const [base, outDir] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, args });
const problems = [];

// One visit: a fresh page (a fresh instance of the module), its own profile. Which code
// a load runs depends on timing (an animation frame or the fallback timeout first, a
// measured or a guessed width), so several visits, at two sizes, are merged.
async function visit(name, path, viewport, walk) {
  const page = await browser.newPage({ viewport });
  page.on("pageerror", (e) => problems.push(`${name}: ${e.message}`));
  // The glue instantiates the module by streaming: keep its exports for the profile.
  await page.addInitScript(() => {
    const streaming = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = async (...a) => {
      const result = await streaming(...a);
      window.__instrumented = result.instance.exports;
      return result;
    };
  });
  await page.goto(new URL(path, base).href);
  await page.getByTestId("diagram").waitFor({ timeout: 60000 });
  await page.waitForFunction(() => window.__instrumented && /^Step 1 of \d+$/.test(document.querySelector('[data-testid="step-count"]')?.textContent ?? ""));
  await page.waitForTimeout(300);
  let total = 1;
  if (walk) {
    // The flow, step by step to its end, as a visitor would look at it.
    total = Number((await page.getByTestId("step-count").textContent()).match(/of (\d+)/)[1]);
    const next = page.getByRole("button", { name: "Next step" });
    for (let n = 2; n <= total; n++) {
      await next.click();
      await page.getByTestId("step-count").filter({ hasText: `Step ${n} of ${total}` }).waitFor();
    }
  }
  const bytes = await page.evaluate(() => {
    const w = window.__instrumented;
    const size = 1 << 20;
    const at = w.__wbindgen_malloc(size, 8);
    const written = w.__write_profile(at, size);
    return Array.from(new Uint8Array(w.memory.buffer, at, written));
  });
  await page.close();
  fs.writeFileSync(`${outDir}/${name}.profile`, Buffer.from(bytes));
  console.log(`deferred-profile: ${name}: ${path}, ${viewport.width}×${viewport.height}, ${total} steps seen`);
}

const laptop = { width: 1366, height: 800 };
const phone = { width: 390, height: 844 };
const embed = { width: 720, height: 480 };
await visit("laptop-look", "./", laptop, false);
await visit("laptop-walk", "./", laptop, true);
await visit("phone-walk", "./", phone, true);
await visit("embed-walk", "./embed.html", embed, true);
// The first flow named in the URL, as documentation embeds and permalinks open it: the
// scenario parameter runs code that a bare load does not.
await visit("embed-named-walk", "./embed.html?scenario=workmail-basics", embed, true);
await visit("laptop-named-look", "./?scenario=workmail-basics", laptop, false);
await browser.close();
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
