// An officer of the city reviews the claims queue, reads a flagged
// (待复核) claim's decision clause by clause, approves it and sees its
// status change, pays it (拨付) and finds the payment in the ledger; the
// ledger shows the fund sources; a roster with one bad row is uploaded, the
// bad row is reported and the error report downloads with its reason.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

  // Its decision, rule by rule with the clause each comes from: a claim a
  // rule flagged (not one held because no policy governs its place).
  const rules = await column(page, '涉及规则');
  const flagged = rules.findIndex((r) => /R\d+/.test(r));
  assert.ok(flagged >= 0, `a claim flagged by a rule: ${rules}`);
  const link = page.locator('tbody tr').nth(flagged).locator('td a').first();
  const no = (await link.innerText()).trim();
  await Promise.all([page.waitForURL((u) => u.pathname.endsWith(`/claims/${no}`)), link.click()]);
  assert.equal(await page.locator('h1').innerText(), `申领 ${no}`);
  const reasons = await page.locator('#trace tbody tr').allInnerTexts();
  assert.ok(reasons.length >= 3, `a clause-by-clause trace: ${reasons}`);
  assert.ok(reasons.every((r) => /^R\d+ /.test(r)), `each line names its rule: ${reasons}`);
  assert.ok(reasons.some((r) => /需人工复核/.test(r)), `the flag is explained: ${reasons}`);
  assert.ok(reasons.some((r) => /〔\d{4}〕/.test(r)), `clauses cited: ${reasons}`);
  assert.match(await page.locator('#conclusion').innerText(), /复核/);
  await screenshot(page, 'claim-decision');

  // A claim an open case holds (S3 found the certificate dated before the
  // class ended): the officer checks, closes the case 不属实 through its
  // confirm step, and comes back to approve.
  if (await page.locator('#held').count()) {
    const caseLink = page.locator('#held a');
    const caseNo = (await caseLink.innerText()).trim();
    await Promise.all([page.waitForURL(`**/supervision/cases/${caseNo}`), caseLink.click()]);
    await screenshot(page, 'case-holding-claim');
    await page.getByLabel('不属实').check();
    await page.getByLabel('核查说明').fill('经核对评价机构原始记录，发证日期系录入错误，培训已按期结业，不属实');
    await page.getByRole('button', { name: '下一步：确认结案' }).click();
    assert.match(await page.locator('#effects').innerText(), /解除/);
    await Promise.all([page.waitForURL(/closed=1/), page.getByRole('button', { name: '确认结案' }).click()]);
    await screenshot(page, 'case-closed');
    await visit(page, `/claims/${no}`);
    assert.equal(await page.locator('#held').count(), 0, 'the claim is released');
  }

  // Approve through the form (with its CSRF token).
  await page.getByLabel('审核意见').fill('已核实证书与花名册，予以核准');
  // Post/redirect/get: back on the claim's page, the outcome in the flash.
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/claims/${no}`) && r.request().method() === 'GET'),
    page.getByRole('button', { name: '核准', exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  assert.match(await page.locator('#flash').innerText(), /核准/);
  await screenshot(page, 'claim-approved');

  // The queue agrees: no longer in review, now approved.
  await visit(page, `/claims?status=review&q=${no}`);
  assert.ok(!(await column(page, '申领编号')).includes(no), `${no} left the review queue`);
  await visit(page, `/claims?status=approved&q=${no}`);
  assert.ok((await column(page, '申领编号')).includes(no), `${no} is approved`);

  // Pay it (拨付) from its page, then find the posting in the ledger.
  await visit(page, `/claims/${no}`);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '拨付', exact: true }).click()]);
  assert.ok(page.url().endsWith(`/claims/${no}`), 'post/redirect/get: back on the claim');
  assert.match(await page.locator('#flash').innerText(), /拨付 1 件/);
  await screenshot(page, 'claim-paid');
  await visit(page, '/ledger');
  const posted = await page.locator('#postings tbody tr', { hasText: no }).allInnerTexts();
  assert.ok(posted.length >= 1, `the ledger lists the payment of ${no}`);
  await screenshot(page, 'ledger-after-payment');
  assertClean(page);
});

test('an officer uploads a roster with one bad row and downloads the error report', async () => {
  const file = process.env.JINENG_ROSTER_FILE;
  assert.ok(file, 'the harness writes a roster file');
  const page = await newPage(browser);
  await login(page, 'city');
  await visit(page, '/imports');
  await page.getByLabel('模板类型').selectOption('roster');
  await page.getByLabel('文件').setInputFiles(file);
  await screenshot(page, 'import-form');
  await Promise.all([page.waitForURL(/\/imports\/[^/]+$/), page.getByRole('button', { name: '上传并导入' }).click()]);
  // The status fragment polls itself (htmx) until the import is done.
  const done = page.locator('#import-status.done');
  await done.waitFor({ timeout: 30_000 });
  assert.match(await done.locator('p.import-result.warning').innerText(), /接收 1 行.*拒绝 1 行/);
  const errors = await page.locator('table.errors tbody tr').allInnerTexts();
  assert.equal(errors.length, 1, `one bad row: ${errors}`);
  assert.match(errors[0], /^3\s+「身份证号码」\S/, `row 3, its column and reason: ${errors[0]}`);
  await screenshot(page, 'import-result');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载错误报告（CSV）' }).click()]);
  const report = readFileSync(await download.path(), 'utf8');
  assert.ok(report.includes('错号'), `the bad row is in the report: ${report}`);
  assert.ok(report.includes('身份证号码'), `with its column: ${report}`);
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
