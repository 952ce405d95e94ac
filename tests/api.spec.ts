import { test, expect } from "@playwright/test";

test("the JavaScript API example page scripts a flow", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("api.html");
  await expect(page.locator("body")).toHaveAttribute("data-done", "true", { timeout: 30_000 });
  const steps = page.locator("#steps li");
  await expect(steps.nth(2)).toHaveText(/Decrypt with \{tenant: blue\} → ok/);
  await expect(steps.nth(3)).toHaveText(/plaintext is "hello world"/);
  await expect(steps.nth(4)).toHaveText(/InvalidCiphertextException/);
  await expect(page.locator("#summary")).toHaveText(/workmail-revoke-grant: \d+ steps, 5 expectations met, 0 failed/);
  const trail = JSON.parse(await page.locator("#trail").innerText());
  expect(trail.map((e: { eventName: string }) => e.eventName)).toEqual(["CreateKey", "Encrypt", "Decrypt", "Decrypt"]);
  expect(trail[3].errorCode).toBe("InvalidCiphertextException");
  expect(errors).toEqual([]);
});

test("the JavaScript API ships TypeScript declarations", async ({ request }) => {
  const dts = await request.get("pkg/kmsplay_js.d.ts");
  expect(dts.ok()).toBeTruthy();
  const text = await dts.text();
  expect(text).toContain("export class Playground");
  expect(text).toContain("call(step: any): any");
});
