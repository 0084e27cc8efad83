// What every browser test shares: headless Chromium launched from CHROMIUM (default
// /usr/bin/chromium) with a fresh temporary profile, numbered checks printed as they
// pass, and the closing line `N passed, 0 failed` (or `not ok` and exit code 1 at the
// first failure).

import { chromium } from "playwright-core";

let checks = 0;

/** Records one passed check. */
export const check = (what) => { checks += 1; console.log(`ok ${checks} - ${what}`); };

/** Launches the browser, runs `run(browser)`, reports, and always closes the browser. */
export async function drive(run) {
  // launch() gives Chromium a fresh temporary profile (--user-data-dir) of its own.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run",
    ],
  });
  try {
    await run(browser);
    console.log(`${checks} passed, 0 failed`);
  } catch (error) {
    console.error(`not ok ${checks + 1} - ${error.stack || error}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
