// Drives headless Chromium through the studio like a person: log in, open the studio,
// change a shape and a colour and see the preview image change (its bytes differ), press
// Download and save the file. Run by `cargo test` (tests/api/studio.rs), which starts
// the app, makes the account, then decodes the saved file and checks the usage.
//
// Environment: QRGATE_URL, QRGATE_EMAIL, QRGATE_PASSWORD (required), CHROMIUM (default
// /usr/bin/chromium), QRGATE_SCREENSHOT_DIR (screenshots and the downloaded file).

import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const base = process.env.QRGATE_URL;
const email = process.env.QRGATE_EMAIL;
const password = process.env.QRGATE_PASSWORD;
if (!base || !email || !password) throw new Error("set QRGATE_URL, QRGATE_EMAIL and QRGATE_PASSWORD");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const out = process.env.QRGATE_SCREENSHOT_DIR;

let checks = 0;
const check = (what) => { checks += 1; console.log(`ok ${checks} - ${what}`); };

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
try {
  await run();
  console.log(`${checks} passed, 0 failed`);
} catch (error) {
  console.error(`not ok ${checks + 1} - ${error.stack || error}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}

// The preview as the page shows it: its decoded pixels, hashed. (The page holds the
// image as a blob: URL, which the site's CSP rightly keeps fetch() from reading again.)
async function previewHash(page) {
  const bytes = await page.evaluate(() => {
    const img = document.getElementById("studio-preview");
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    return Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data);
  });
  assert.ok(bytes.length > 0, "the preview has pixels");
  return crypto.createHash("sha256").update(Buffer.from(bytes)).digest("hex");
}

async function waitForNewPreview(page, before) {
  await page.waitForFunction((old) => {
    const img = document.getElementById("studio-preview");
    return img.src !== old && img.complete && img.naturalWidth > 0;
  }, before, { timeout: 20_000 });
}

async function run() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleErrors = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  // The preview images as they came over the network, hashed, in order.
  const served = [];
  page.on("response", async (response) => {
    if (!response.url().includes("/dashboard/studio/preview") || !response.ok()) return;
    const body = await response.body().catch(() => null);
    if (body) served.push(crypto.createHash("sha256").update(body).digest("hex"));
  });

  await page.goto(`${base}/login`);
  await page.fill("#login input[name=email]", email);
  await page.fill("#login input[name=password]", password);
  await Promise.all([page.waitForURL(/dashboard/), page.click("#login button[type=submit]")]);
  check("logged in");

  await page.click('a[href="/dashboard/studio"]');
  await page.waitForSelector("#studio-preview");
  await page.waitForFunction(() => {
    const img = document.getElementById("studio-preview");
    return img.complete && img.naturalWidth > 0;
  });
  assert.equal(await page.isHidden("#studio-update"), true, "the script hides the no-JS button");
  const first = await previewHash(page);
  check("the studio shows a preview");

  let src = await page.evaluate(() => document.getElementById("studio-preview").src);
  await page.click('label.shape:has(input[name=module_shape][value=dot])');
  await waitForNewPreview(page, src);
  const dotted = await previewHash(page);
  assert.notEqual(dotted, first, "a new shape gives a new preview image");
  check("changing the module shape changes the preview");

  src = await page.evaluate(() => document.getElementById("studio-preview").src);
  await page.fill("#f-fg", "#1d4ed8");
  await waitForNewPreview(page, src);
  const coloured = await previewHash(page);
  assert.notEqual(coloured, dotted, "a new colour gives a new preview image");
  const url = await page.textContent("#studio-url");
  assert.match(url, /module_shape=dot/);
  assert.match(url, /fg=%231d4ed8/);
  assert.match(url, /api_key=YOUR_API_KEY$/);
  assert.doesNotMatch(url, /eye_frame=/, "defaults stay out of the request");
  const body = JSON.parse(await page.textContent("#studio-json"));
  assert.deepEqual(Object.keys(body.data), ["url"]);
  assert.equal(body.design.module_shape, "dot");
  // The script's fetches of the dots and of the dots in blue: different bytes (a
  // response's body arrives a moment after the page has drawn it).
  for (let i = 0; i < 50 && new Set(served).size < 2; i++) await page.waitForTimeout(100);
  assert.ok(new Set(served).size >= 2, `distinct previews served: ${new Set(served).size}`);
  check("changing the colour changes the preview and the request");

  await page.fill("#f-caption", "SCAN ME");
  await page.selectOption("#f-frame", "banner_bottom");
  src = await page.evaluate(() => document.getElementById("studio-preview").src);
  await page.waitForFunction(() => document.getElementById("studio-url").textContent.includes("frame=banner_bottom"));
  await waitForNewPreview(page, src);
  if (out) await page.screenshot({ path: path.join(out, "studio-screenshot.png"), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#studio-download-button")]);
  assert.match(download.suggestedFilename(), /\.png$/);
  const saved = path.join(out || ".", "studio-download.png");
  await download.saveAs(saved);
  check(`Download saved ${download.suggestedFilename()}`);

  // Get a signed URL for the same design: shown in place, no key in it; the Rust side
  // fetches and decodes it.
  await page.selectOption("#studio-expires", "2592000");
  await page.click("#studio-sign-button");
  await page.waitForSelector("#studio-signed", { state: "visible" });
  const signedUrl = (await page.textContent("#studio-signed-url")).trim();
  assert.match(signedUrl, /\/api\/v1\/s\/[A-Za-z0-9_.-]+$/);
  assert.doesNotMatch(signedUrl, /qrg_|api_key/);
  assert.match(await page.textContent("#studio-signed-expires"), /works until/);
  assert.equal(page.url().endsWith("/dashboard/studio"), true, "signed in place, no page load");
  fs.writeFileSync(path.join(out || ".", "studio-signed-url.txt"), signedUrl);
  // A change of design hides the URL: it was signed for the design before.
  await page.fill("#f-caption", "SCAN HERE");
  await page.waitForSelector("#studio-signed", { state: "hidden" });
  check("Get a signed URL shows a keyless URL and hides it when the design changes");

  // Phone width: the form and the preview stack, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page wider than a phone by ${overflow}px`);
  if (out) await page.screenshot({ path: path.join(out, "studio-phone.png") });
  check("readable at phone width");

  assert.deepEqual(consoleErrors, [], "no console errors");
  check("no console errors");
}
