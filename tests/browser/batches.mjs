// Drives headless Chromium through /dashboard/batches like a person: sign up, choose a
// design default, upload a CSV, watch the progress bar advance to 100 %, and download the
// ZIP. Run by `cargo test` (tests/api/batch_pages.rs), which starts the app, passes its
// address, and unzips and decodes the downloaded file; exits non-zero on the first
// failed check.
//
//   QRGATE_URL=http://127.0.0.1:8080 QRGATE_DOWNLOAD=/tmp/batch.zip node batches.mjs
//
// Environment: QRGATE_URL (required), QRGATE_DOWNLOAD (where the ZIP is saved; required),
// CHROMIUM (default /usr/bin/chromium), QRGATE_SCREENSHOT_DIR (default: no screenshots).

import assert from "node:assert/strict";
import path from "node:path";
import { check, drive } from "./harness.mjs";

const base = process.env.QRGATE_URL;
const download = process.env.QRGATE_DOWNLOAD;
if (!base || !download) throw new Error("set QRGATE_URL and QRGATE_DOWNLOAD");
const screenshots = process.env.QRGATE_SCREENSHOT_DIR;
const PASSWORD = "correct horse battery staple";
const ROWS = 12;

await drive(run);

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() !== "error" || message.location().url.endsWith("/favicon.ico")) return;
    consoleErrors.push(`${page.url()}: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`${page.url()}: ${error.message}`));

  const email = `batches-${process.pid}@example.org`;
  await page.goto(`${base}/signup`);
  await page.fill("#signup input[name=email]", email);
  await page.fill("#signup input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(/\/dashboard$/), page.click("#signup button[type=submit]")]);
  await Promise.all([page.waitForURL(/\/dashboard\/batches$/), page.click("nav a[href='/dashboard/batches']")]);
  check("signed up and opened Batches from the navigation");

  // Large styled codes, so that the batch runs long enough to watch.
  await page.click(".batch-design summary");
  await page.fill("#design_size", "1024");
  await page.selectOption("#design_module_shape", "dot");
  const rows = Array.from({ length: ROWS }, (_, i) => `url,example.org/badge/${i}`);
  const csv = ["type,url", ...rows, "url,"].join("\n");
  await page.setInputFiles("#batch-file", { name: "badges.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await Promise.all([
    page.waitForURL(/\/dashboard\/batches\/bt_[0-9a-f]{16}$/),
    page.click("#batch-upload button[type=submit]"),
  ]);
  check("uploaded a CSV with design defaults; the batch page opened");

  // Watch the bar: it must move while the batch runs, and reach 100 %.
  const seen = new Set();
  const deadline = Date.now() + 120_000;
  for (;;) {
    assert.ok(Date.now() < deadline, `the bar stopped at ${[...seen]}`);
    const state = await page.evaluate(() => {
      const bar = document.getElementById("batch-progress");
      return bar && { value: bar.value, max: bar.max, percent: document.getElementById("batch-percent").textContent };
    }).catch(() => null); // the page reloads itself at the end
    if (state) {
      seen.add(state.value);
      if (state.percent === "100 %" && (await page.isVisible("#batch-download"))) break;
    }
    await page.waitForTimeout(100);
  }
  const values = [...seen].sort((a, b) => a - b);
  assert.ok(values.some((v) => v > 0 && v < ROWS + 1), `the bar moved between 0 and the end: ${values}`);
  assert.equal(values.at(-1), ROWS + 1);
  assert.equal((await page.textContent("#batch-status")).trim(), "done");
  check(`the progress bar advanced (${values.join(", ")}) to 100 %`);

  const errors = await page.textContent("#batch-errors");
  assert.match(errors, /url: is required/);
  check("the row without a URL is listed with its error");

  if (screenshots) {
    await page.screenshot({ path: path.join(screenshots, "batches-screenshot.png"), fullPage: true });
  }

  const [file] = await Promise.all([page.waitForEvent("download"), page.click("#batch-download")]);
  assert.match(file.suggestedFilename(), /^qrgate-bt_[0-9a-f]{16}\.zip$/);
  await file.saveAs(download);
  check("downloaded the ZIP");

  await page.goto(`${base}/dashboard/batches`);
  assert.match(await page.textContent("#batch-list"), /done/);
  check("the batch is listed as done");
  if (screenshots) {
    await page.click(".batch-design summary");
    await page.screenshot({ path: path.join(screenshots, "batches-list-screenshot.png"), fullPage: true });
  }

  assert.deepEqual(consoleErrors, [], "no console errors");
  check("no console errors");
}
