// An officer of the city reviews the claims queue, reads a flagged
// (待复核) claim's decision clause by clause, approves it and sees its
// status change; the ledger shows the fund sources. The lead adds here,
// after the merge: upload a roster with one bad row and download the error
// report; pay a claim and see it in the ledger.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, visit, login, screenshot, column, assertClean } from './lib.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the login page renders for a visitor', async () => {
  const page = await newPage(browser);
  await visit(page, '/login');
  assert.equal(await page.locator('h1').innerText(), '用户登录');
  await screenshot(page, 'login');
  assertClean(page);
});

test('an officer approves a flagged claim after reading its reasons', async () => {
  const page = await newPage(browser);
  await login(page, 'city');
  assert.match(await page.locator('header .who').innerText(), /经办人员/);
  await screenshot(page, 'home');

  // The queue, filtered to the claims an officer must review.
  await visit(page, '/claims');
  await page.locator('select[name=status]').selectOption('review');
  await Promise.all([page.waitForURL(/status=review/), page.getByRole('button', { name: '筛选' }).click()]);
  const statuses = await column(page, '状态');
  assert.ok(statuses.length > 0, 'the demo has claims in review');
  assert.ok(statuses.every((s) => s === '待复核'), `only 待复核: ${statuses}`);
  await screenshot(page, 'claims-queue');

  // Its decision, rule by rule with the clause each comes from.
  const link = page.locator('tbody tr td a').first();
  const no = (await link.innerText()).trim();
  await Promise.all([page.waitForURL(`**/claims/${no}`), link.click()]);
  assert.equal(await page.locator('h1').innerText(), `申领 ${no}`);
  const reasons = await page.locator('ol.trace li').allInnerTexts();
  assert.ok(reasons.length >= 3, `a clause-by-clause trace: ${reasons}`);
  assert.ok(reasons.every((r) => /^R\d+ /.test(r)), `each line names its rule: ${reasons}`);
  assert.ok(reasons.some((r) => /需人工复核/.test(r)), `the flag is explained: ${reasons}`);
  assert.ok(reasons.some((r) => /〔\d{4}〕/.test(r)), `clauses cited: ${reasons}`);
  assert.match(await page.locator('pre.conclusion').innerText(), /复核/);
  await screenshot(page, 'claim-decision');

  // Approve through the form (with its CSRF token).
  await page.getByLabel('审核意见').fill('已核实证书与花名册，予以核准');
  await Promise.all([page.waitForURL(`**/claims/${no}/approve`), page.getByRole('button', { name: '核准', exact: true }).click()]);
  assert.match(await page.locator('p.notice').innerText(), /核准/);
  await screenshot(page, 'claim-approved');

  // The queue agrees: no longer in review, now approved.
  await visit(page, '/claims?status=review');
  assert.ok(!(await column(page, '申领编号')).includes(no), `${no} left the review queue`);
  await visit(page, '/claims?status=approved');
  assert.ok((await column(page, '申领编号')).includes(no), `${no} is approved`);
  assertClean(page);
});

test('the ledger shows what each fund source paid', async () => {
  const page = await newPage(browser);
  await login(page, 'city');
  await visit(page, '/ledger');
  const funds = await column(page, '资金来源');
  assert.ok(funds.length > 0, 'fund sources listed');
  const paid = (await page.locator('#total-paid').innerText()).replace(/[,，]/g, '');
  assert.ok(Number.parseFloat(paid) > 0, `the demo paid the claims of 2019: ${paid}`);
  await screenshot(page, 'ledger');
  assertClean(page);
});
