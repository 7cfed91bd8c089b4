// Helpers shared by the browser flows: the server under test, the demo
// accounts, a headless Chromium (Debian's, driven by playwright-core, which
// downloads no browser), login and screenshots.
//
// The Rust harness (crates/cli/tests/browser.rs) starts `jineng serve
// --demo` and passes:
//   JINENG_BASE_URL    http://127.0.0.1:PORT
//   JINENG_PASSWORDS   JSON {"city": "…", "school": "…", …}
//   JINENG_ARTIFACTS   directory for screenshots
//   CHROMIUM           the browser binary (default /usr/bin/chromium)

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const BASE = process.env.JINENG_BASE_URL ?? 'http://127.0.0.1:8080';
const PASSWORDS = JSON.parse(process.env.JINENG_PASSWORDS ?? '{}');
const ARTIFACTS = process.env.JINENG_ARTIFACTS ?? 'artifacts';

/** A headless Chromium; close it when the file's tests are done. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // CI runs as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** A fresh page in its own context (own cookies), Chinese locale. */
export async function newPage(browser) {
  const context = await browser.newContext({
    locale: 'zh-CN',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  // A script error, a CSP violation or a failing asset fails the flow.
  // (Pages answering 4xx on purpose are checked by the flows themselves;
  // Chromium's own request for /favicon.ico is not the site's.)
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (r.status() >= 400 && r.request().resourceType() !== 'document' && url.pathname !== '/favicon.ico') {
      problems.push(`HTTP ${r.status()} for ${url.pathname}`);
    }
  });
  page.problems = problems;
  return page;
}

/** Opens `path` of the server; asserts the answer is 2xx. */
export async function visit(page, path) {
  const res = await page.goto(BASE + path);
  assert.ok(res.ok(), `${path}: HTTP ${res.status()}`);
  return res;
}

/** Signs in as the demo account `user` through the login form. */
export async function login(page, user) {
  const password = PASSWORDS[user];
  assert.ok(password, `no password for demo account ${user}`);
  await visit(page, '/login');
  await page.getByLabel('账号').fill(user);
  await page.getByLabel('密码').fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: '登录' }).click()]);
  assert.doesNotMatch(await page.content(), /账号或密码错误/);
}

/** Writes a full-page screenshot `name`.png to the artifacts directory. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The text of every cell of column `header` in the first table. */
export async function column(page, header) {
  const headers = await page.locator('table').first().locator('thead th').allInnerTexts();
  const i = headers.findIndex((h) => h.trim() === header);
  assert.ok(i >= 0, `no column ${header} in ${headers}`);
  return page.locator('table').first().locator(`tbody tr td:nth-child(${i + 1})`).allInnerTexts();
}

/** Asserts the page raised no script error and no CSP violation. */
export function assertClean(page) {
  assert.deepEqual(page.problems, [], 'the page logged errors');
}
