// Every demo role's main pages, as its user opens them: no serious or
// critical accessibility violation (axe-core, injected through the
// DevTools protocol so that the CSP holds for the pages' own scripts); the
// public lookup, /me, /me/claims, the standards evaluation and a what-if
// result fit a 390 px phone; the audit trail
// reads in Chinese with amounts in 元; refusals are Chinese pages. A
// screenshot of each page goes to the artifacts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { launch, newPage, visit, login, screenshot, BASE } from './lib.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The main pages of each role (the anonymous visitor as `null`). */
const ROLES = {
  public: ['/', '/certificates/lookup', '/verify', '/funds', '/public/credit', '/public/draws', '/login'],
  city: ['/', '/claims', '/persons', '/classes', '/ledger', '/dashboard', '/audit', '/supervision/cases', '/catalogue', '/institutions', '/imports', '/accounts', '/tasks', '/policy/standards', '/policy/whatif'],
  county: ['/', '/claims', '/classes', '/persons', '/policy/standards', '/policy/whatif'],
  finance: ['/', '/ledger', '/claims'],
  auditor: ['/', '/audit', '/ledger'],
  school: ['/', '/classes'],
  worker: ['/me', '/me/claims', '/account'],
};

/** Runs axe on the page; returns its serious and critical violations. */
async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

function slug(path) {
  return path === '/' ? 'home' : path.replace(/^\//, '').replace(/[/?=&]+/g, '-');
}

for (const [role, paths] of Object.entries(ROLES)) {
  test(`${role}: main pages pass axe (no serious or critical violation)`, async () => {
    const page = await newPage(browser);
    if (role !== 'public') await login(page, role);
    const found = [];
    for (const path of paths) {
      await visit(page, path);
      await screenshot(page, `pages-${role}-${slug(path)}`);
      for (const v of await axe(page)) found.push(`${path}: ${v}`);
    }
    assert.deepEqual(found, [], `${role}: accessibility violations`);
    await page.context().close();
  });
}

test('menus are grouped by task and never split a word', async () => {
  const page = await newPage(browser);
  await login(page, 'city');
  const groups = await page.locator('nav.menu .group-name').allInnerTexts();
  assert.ok(groups.includes('业务办理') && groups.includes('资金') && groups.includes('监管'), `${groups}`);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    // Each link's text on one line: its height is one line's.
    const split = await page.locator('nav.menu a').evaluateAll((links) =>
      links.filter((a) => a.getClientRects().length > 1 || a.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(a).fontSize)).map((a) => a.textContent),
    );
    assert.deepEqual(split, [], `links wrapped at ${width} px`);
  }
  await page.context().close();
});

/** Asserts the page is no wider than the phone. */
async function fits(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what}: ${scroll} px wide on a ${client} px screen`);
}

test('a 390 px phone: the public lookup, /me and /me/claims fit the screen', async () => {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await login(page, 'worker');
  await visit(page, '/me');
  await fits(page, '/me');
  await screenshot(page, 'phone-me');
  const name = (await page.locator('h1').innerText()).replace(' 的电子档案', '').trim();
  const certNo = (await page.locator('#certificates + .scroll table tbody tr td').first().innerText()).trim();
  await visit(page, '/me/claims');
  await fits(page, '/me/claims');
  await screenshot(page, 'phone-me-claims');

  const visitor = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await visit(visitor, '/certificates/lookup');
  await visitor.getByLabel('姓名').fill(name);
  await visitor.getByLabel('证书编号').fill(certNo);
  await Promise.all([visitor.waitForNavigation(), visitor.getByRole('button', { name: '查询' }).click()]);
  assert.match(await visitor.locator('main').innerText(), new RegExp(certNo));
  await fits(visitor, 'the lookup result');
  await screenshot(visitor, 'phone-lookup-result');
  await visit(visitor, '/');
  await fits(visitor, 'the public home page');
  await context.close();
  await visitor.context().close();
});

test('a 390 px phone: the standards evaluation fits the screen', async () => {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'city');
  await visit(page, '/policy/standards');
  assert.match(await page.locator('h1').innerText(), /补贴标准评估/);
  await fits(page, '/policy/standards');
  await screenshot(page, 'phone-standards');
  await page.context().close();
});

test('a what-if run: the result page passes axe and fits a 390 px phone', async () => {
  const page = await newPage(browser);
  await login(page, 'city');
  await visit(page, '/policy/whatif');
  const draft = fileURLToPath(new URL('../../policies/drafts/liaocheng-b5-1000.toml', import.meta.url));
  await page.getByLabel('政策草案（.toml）').setInputFiles(draft);
  await Promise.all([page.waitForURL(/\/policy\/whatif\/\d+$/), page.getByRole('button', { name: '上传并测算' }).click()]);
  assert.match(await page.locator('h1').innerText(), /政策测算结果/);
  assert.deepEqual(await axe(page), [], 'the result page: accessibility violations');
  await screenshot(page, 'pages-city-whatif-result');
  await page.setViewportSize({ width: 390, height: 844 });
  await fits(page, 'the what-if result');
  await screenshot(page, 'phone-whatif-result');
  await page.context().close();
});

test('the audit trail reads in Chinese, with amounts in 元', async () => {
  const page = await newPage(browser);
  await login(page, 'auditor');
  await visit(page, '/audit');
  const actions = await page.locator('#audit tbody td.action').allInnerTexts();
  assert.ok(actions.length > 0, 'rows');
  for (const a of actions) assert.doesNotMatch(a, /^[a-z_]+$/, `an action code: ${a}`);
  const table = await page.locator('#audit').innerText();
  assert.doesNotMatch(table, /\bweb:|\bledger_tx\b|claim_status|[{}]/, 'no codes or JSON');
  // The payments filter: postings with their amounts in 元.
  await page.getByRole('link', { name: '只看资金支付' }).click();
  await page.waitForURL(/entity=ledger_tx/);
  const changes = await page.locator('#audit tbody td.changes').allInnerTexts();
  assert.ok(changes.length > 0, 'postings on the trail');
  assert.match(changes.join('\n'), /\d{1,3}(,\d{3})*\.\d\d 元/);
  assert.doesNotMatch(changes.join('\n'), /_fen|\d ?分/);
  assert.match(await page.locator('#audit tbody td.action').first().innerText(), /记账/);
  await screenshot(page, 'audit-payments');
  await page.context().close();
});

test('refusals are Chinese pages, not the framework\'s English', async () => {
  const page = await newPage(browser);
  await login(page, 'city');
  for (const [path, status, words] of [
    ['/persons/abc', 400, '网址中的编号无效'],
    ['/no-such-page', 404, '页面不存在'],
    ['/claims/ZZ-1/approve', 405, '此地址不能这样访问'],
  ]) {
    const res = await page.goto(BASE + path);
    assert.equal(res.status(), status, path);
    assert.match(await page.locator('main').innerText(), new RegExp(words), path);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  }
  await screenshot(page, 'error-405');
  const icon = await page.goto(`${BASE}/favicon.ico`);
  assert.equal(icon.status(), 200);
  await page.context().close();
});
