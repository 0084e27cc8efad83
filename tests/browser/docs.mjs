// Drives headless Chromium through qrgate like a person: sign up, create a key, open the
// docs from the dashboard, Authorize, Test and Execute, paste the request URL into a fresh
// tab, and try a wrong key. Run by `cargo test` (tests/api/docs.rs), which starts the app
// and passes its address; exits non-zero on the first failed check.
//
//   QRGATE_URL=http://127.0.0.1:8080 node docs.mjs
//
// Environment: QRGATE_URL (required), CHROMIUM (default /usr/bin/chromium),
// QRGATE_SCREENSHOT_DIR (where the screenshots go; default: none taken).

import assert from "node:assert/strict";
import path from "node:path";
import { check, drive } from "./harness.mjs";

const base = process.env.QRGATE_URL;
if (!base) throw new Error("set QRGATE_URL to the server's address");
const screenshots = process.env.QRGATE_SCREENSHOT_DIR;
const PASSWORD = "correct horse battery staple";
const KEY_STORE = "qrgate.docs.key";

await drive(run);

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // The site has no favicon yet (templates/base.html names none), so Chromium's own
    // request for /favicon.ico gets a 404. That is the browser's request, not the page's.
    if (message.location().url.endsWith("/favicon.ico")) {
      console.log(`# note: ${message.location().url} is missing`);
      return;
    }
    consoleErrors.push(`${page.url()}: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`${page.url()}: ${error.message}`));

  // Sign up and create a key, as on the dashboard.
  const email = `docs-${process.pid}@example.org`;
  await page.goto(`${base}/signup`);
  await page.fill("#signup input[name=email]", email);
  await page.fill("#signup input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(/\/dashboard$/), page.click("#signup button[type=submit]")]);
  await page.goto(`${base}/dashboard/api`);
  await page.fill("#create-key input[name=password]", PASSWORD);
  await Promise.all([page.waitForSelector("#api-key"), page.click("#create-key button[type=submit]")]);
  const key = (await page.textContent("#api-key")).trim();
  assert.match(key, /^qrg_[0-9A-Za-z]{20,}$/);
  check("signed up and created a key");

  // "Authorize the docs with this key" opens the docs with the key kept in this tab.
  await Promise.all([page.waitForURL(/\/docs#authorize$/), page.click("#authorize-docs")]);
  await page.waitForSelector("#authorized:visible");
  assert.equal(await page.evaluate((name) => sessionStorage.getItem(name), KEY_STORE), key);
  const masked = await page.textContent("#authorized-key");
  assert.ok(masked.startsWith(key.slice(0, 8)) && !masked.includes(key), `masked: ${masked}`);
  assert.equal(await page.isVisible("#authorize-form"), false);
  check("the dashboard's button authorized the docs; the key is shown masked");

  // Logout forgets the key; the Authorize box takes it again.
  await page.click("#authorize-logout");
  assert.equal(await page.evaluate((name) => sessionStorage.getItem(name), KEY_STORE), null);
  await page.waitForSelector("#authorize-form:visible");
  await authorize(page, key);
  check("Logout forgot the key and the Authorize box took it again");

  await checkFieldsHaveLabels(page);
  const doc = await (await page.request.get(`${base}/openapi.json`)).json();

  // Website URL: the examples are prefilled; choose a size and Execute.
  const url = await execute(page, doc, "qr-url", "/api/v1/qr/url", { size: "256" });
  await checkImage(page, browser, "qr-url", url, key, 256);
  check("Website URL: 200, a 256-pixel image, and the shown URL gives the same image in a fresh tab");

  await checkSignedUrl(page, browser, "qr-url", url, key);
  check("Website URL: Get a signed URL gives a URL without the key that serves the same image to anyone");

  const wifi = await execute(page, doc, "qr-wifi", "/api/v1/qr/wifi", { size: "320", format: "png" });
  await checkImage(page, browser, "qr-wifi", wifi, key, 320);
  check("Wi-Fi: 200, a 320-pixel image, and the shown URL gives the same image in a fresh tab");

  // The keyboard alone: Test with Enter moves into the fields; Enter there executes.
  await page.focus("#qr-phone--form [data-test]");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "qr-phone-number");
  await page.keyboard.press("Enter");
  await waitForStatus(page, "qr-phone");
  assert.match(await page.textContent("#qr-phone--result [data-out=status]"), /^200\b/);
  check("Test and Execute work from the keyboard");

  // The other operations: JSON body, usage and daily usage, a logo uploaded and deleted, health.
  for (const [op, status] of [["qr-json", /^200 OK$/], ["usage-show", /^200 OK$/], ["usage-daily", /^200 OK$/], ["health", /^200 OK$/]]) {
    await page.click(`#${op}--form [data-test]`);
    await page.click(`#${op}--form [data-execute]`);
    await waitForStatus(page, op, status);
  }
  assert.match(await page.textContent("#usage-show--result [data-out=body]"), /"key_prefix": "qrg_/);
  assert.match(await page.textContent("#usage-daily--result [data-out=body]"), /"date": "2026-09-30",\s*"count": 0/);
  await page.selectOption("#qr-json--expires", "");
  await page.click("#qr-json--signing [data-sign]");
  await page.waitForSelector("#qr-json--signing [data-out=signed-row]:visible");
  assert.match(await page.textContent("#qr-json--signing [data-out=signed-note]"), /^Works until you renew your key\./);
  const svg = doc.paths["/api/v1/logos"].post.requestBody.content["image/svg+xml"].example;
  await page.click("#logo-upload--form [data-test]");
  await page.setInputFiles("#logo-upload--file", { name: "logo.svg", mimeType: "image/svg+xml", buffer: Buffer.from(svg) });
  await page.click("#logo-upload--form [data-execute]");
  await waitForStatus(page, "logo-upload", /^201 Created$/);
  const uploaded = JSON.parse(await page.textContent("#logo-upload--result [data-out=body]"));
  assert.equal(await page.inputValue("#logo-delete-id"), uploaded.id, "the upload fills the delete form");
  await page.click("#logo-delete--form [data-test]");
  await page.click("#logo-delete--form [data-execute]");
  await waitForStatus(page, "logo-delete", /^204 No Content$/);
  check("the JSON, usage, logo and health operations execute from the page");

  assert.deepEqual(consoleErrors, [], "no console errors before the wrong key");
  check("no console errors on the dashboard and /docs");

  if (screenshots) {
    await page.screenshot({ path: path.join(screenshots, "docs-screenshot.png"), fullPage: true });
  }

  // A wrong key: the preview, with its status and reason.
  await page.click("#authorize-logout");
  const wrong = `${key.slice(0, 10)}${key[10] === "A" ? "B" : "A"}${key.slice(11)}`;
  await authorize(page, wrong);
  await page.click("#qr-url--form [data-test]"); // Cancel: back to the examples.
  await page.click("#qr-url--form [data-test]");
  await page.click("#qr-url--form [data-execute]");
  await waitForStatus(page, "qr-url", /^401\b/);
  await page.waitForFunction(() => {
    const image = document.querySelector("#qr-url--result img.docs-image");
    return image && image.complete && image.naturalWidth > 0;
  });
  assert.match(await page.textContent("#qr-url--result [data-out=preview]"), /Preview \(invalid_key\)/);
  assert.match(await page.textContent("#qr-url--result [data-out=headers]"), /^x-qr-preview: invalid_key$/m);
  check("a wrong key gets the 401 preview, shown with its reason");
  const unexpected = consoleErrors.filter((text) => !/status of 401/.test(text));
  assert.deepEqual(unexpected, [], "only the deliberate 401 may be logged");

  // A phone's width: nothing sticks out sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/docs`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
  if (screenshots) {
    await page.screenshot({ path: path.join(screenshots, "docs-screenshot-phone.png"), fullPage: true });
  }
  check("/docs fits a phone's width");
}

async function authorize(page, key) {
  await page.fill("#authorize-key", key);
  await page.click("#authorize-form button[type=submit]");
  await page.waitForSelector("#authorized:visible");
  assert.equal(await page.inputValue("#authorize-key"), "", "the box is cleared");
}

async function checkFieldsHaveLabels(page) {
  const unlabelled = await page.$$eval("input, select, textarea", (fields) => fields
    .filter((field) => field.type !== "hidden" && field.labels.length === 0 && !field.getAttribute("aria-label"))
    .map((field) => field.id || field.name));
  assert.deepEqual(unlabelled, [], "every field has a label");
  check("every field on /docs has a label");
}

/** Test (which must fill the fields with the OpenAPI examples), set `design`, Execute. */
async function execute(page, doc, op, pathName, design) {
  const form = `#${op}--form`;
  assert.equal(await page.$eval(`${form} fieldset`, (f) => f.disabled), true, "fields start locked");
  await page.click(`${form} [data-test]`);
  assert.equal(await page.$eval(`${form} fieldset`, (f) => f.disabled), false, "Test unlocks the fields");
  for (const parameter of doc.paths[pathName].get.parameters) {
    if (!parameter.name || parameter.example === undefined) continue;
    assert.equal(await page.inputValue(`#${op}-${parameter.name}`), String(parameter.example),
      `${op}: ${parameter.name} is prefilled with its example`);
  }
  await page.click(`${form} .docs-design summary`);
  for (const [name, value] of Object.entries(design)) {
    const field = `#${op}-${name}`;
    if (await page.$eval(field, (f) => f.tagName === "SELECT")) await page.selectOption(field, value);
    else await page.fill(field, value);
  }
  await page.click(`${form} [data-execute]`);
  await waitForStatus(page, op);
  const result = `#${op}--result`;
  assert.match(await page.textContent(`${result} [data-out=status]`), /^200 OK$/);
  await page.waitForFunction((selector) => {
    const image = document.querySelector(selector);
    return image && image.complete && image.naturalWidth > 0;
  }, `${result} img.docs-image`);
  const shown = await page.textContent(`${result} [data-out=url]`);
  const curl = await page.textContent(`${result} [data-out=curl]`);
  const headers = await page.textContent(`${result} [data-out=headers]`);
  assert.match(headers, /^content-type: image\/png$/m);
  assert.match(headers, /^etag: "/m);
  assert.match(headers, /^x-quota-remaining: \d+$/m);
  // The image on the page is a data: URL of the bytes the server sent.
  const source = await page.$eval(`${result} img.docs-image`, (image) => image.src);
  assert.match(source, /^data:image\/png;base64,/);
  const bytes = Buffer.from(source.slice(source.indexOf(",") + 1), "base64");
  return { shown, curl, bytes };
}

async function waitForStatus(page, op, pattern = /./) {
  await page.waitForFunction(([selector, source]) => {
    const status = document.querySelector(selector);
    return status && new RegExp(source).test(status.textContent)
      && !document.querySelector(`${selector.split(" ")[0].replace("--result", "--form")} [data-execute]`).textContent.includes("…");
  }, [`#${op}--result [data-out=status]`, pattern.source]);
}

/** The image has the size asked for, and the shown URL gives the same bytes elsewhere. */
async function checkImage(page, browser, op, { shown, curl, bytes }, key, size) {
  const result = `#${op}--result`;
  const width = await page.$eval(`${result} img.docs-image`, (image) => image.naturalWidth);
  assert.equal(width, size, "natural width = requested size");
  const shownUrl = new URL(shown);
  assert.equal(shownUrl.searchParams.get("api_key"), key, "the URL carries the key");
  assert.equal(shownUrl.searchParams.get("size"), String(size));
  assert.ok(curl.startsWith(`curl -H 'X-API-Key: ${key}'`), curl);
  shownUrl.searchParams.delete("api_key");
  assert.ok(curl.endsWith(`'${shownUrl}'`), `curl names the URL without the key: ${curl}`);
  // A fresh tab in a new profile, with no cookies and nothing stored: the URL alone.
  const tab = await browser.newContext();
  const fresh = await tab.newPage();
  const response = await fresh.goto(shown);
  assert.equal(response.status(), 200);
  assert.equal(response.headers()["content-type"], "image/png");
  const again = await response.body();
  assert.ok(Buffer.compare(again, bytes) === 0, `the same bytes: ${again.length} vs ${bytes.length}, ${JSON.stringify(response.headers())}, ${shown}`);
  assert.equal(await fresh.$eval("img", (image) => image.naturalWidth), size);
  await tab.close();
}

/** "Get a signed URL" beside the request URL: a keyless URL that gives the same image. */
async function checkSignedUrl(page, browser, op, { bytes }, key) {
  const signing = `#${op}--signing`;
  await page.selectOption(`#${op}--expires`, "3600");
  await page.click(`${signing} [data-sign]`);
  await page.waitForSelector(`${signing} [data-out=signed-row]:visible`);
  const signed = (await page.textContent(`${signing} [data-out=signed]`)).trim();
  assert.ok(signed.startsWith(`${base}/api/v1/s/`), signed);
  assert.ok(!signed.includes(key) && !signed.includes("qrg_") && !signed.includes("api_key"), signed);
  const block = await page.textContent(signing);
  assert.ok(!block.includes(key), "no key where the signed URL is shown");
  assert.match(await page.textContent(`${signing} [data-out=signed-note]`), /^Works until \d{4}-/);
  const tab = await browser.newContext();
  const fresh = await tab.newPage();
  const response = await fresh.goto(signed);
  assert.equal(response.status(), 200);
  assert.equal(response.headers()["content-type"], "image/png");
  assert.ok(Buffer.compare(await response.body(), bytes) === 0, "the same image as with the key");
  await tab.close();
}
