// The list pages as an officer uses them: paging through the claims queue
// (共 N 条, next page, a page number), person search by part of a name (张)
// and by an ID number's last digits (posted: no ID in the address), 批量核准
// narrowed by the queue's filters through its preview (count and total,
// per fund) and its confirmation, and the claims queue on a 390 px phone
// without sideways scrolling of the page.

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

/** The N of the first 共 N 条 on the page. */
async function total(page) {
  const text = await page.locator('nav.pager .count').first().innerText();
  const m = text.match(/共 (\d+) 条/);
  assert.ok(m, `a count: ${text}`);
  return Number(m[1]);
}

test('an officer pages through the claims queue', async () => {
  const page = await newPage(browser);
  await login(page, 'city');
  await visit(page, '/claims');
  const n = await total(page);
  assert.ok(n > 50, `more claims than one page: ${n}`);
  const first = await column(page, '申领编号');
  assert.equal(first.length, 50);
  await Promise.all([page.waitForURL(/page=2/), page.locator('nav.pager').first().getByRole('link', { name: '下一页' }).click()]);
  const second = await column(page, '申领编号');
  assert.equal(second.length, 50);
  assert.ok(second.every((c) => !first.includes(c)), 'page 2 shows other claims');
  assert.equal(await page.locator('nav.pager [aria-current=page]').first().innerText(), '2');
  // The last page, by its number: the rest of the claims.
  const pages = Math.ceil(n / 50);
  await Promise.all([page.waitForURL(new RegExp(`page=${pages}`)), page.locator('nav.pager').first().getByRole('link', { name: String(pages), exact: true }).click()]);
  assert.equal((await column(page, '申领编号')).length, n - (pages - 1) * 50);

  // Sorting by amount keeps the filter; the amounts fall.
  await visit(page, '/claims?status=eligible');
  const eligible = await total(page);
  await Promise.all([page.waitForURL(/sort=amount/), page.getByRole('link', { name: '金额' }).click()]);
  await Promise.all([page.waitForURL(/dir=desc/), page.getByRole('link', { name: /金额/ }).click()]);
  assert.equal(await total(page), eligible, 'the status filter is kept');
  const amounts = (await column(page, '金额 ▼')).map((a) => Number(a.replace(/[^\d.]/g, '')));
  assert.ok(amounts.every((a, i) => i === 0 || a <= amounts[i - 1]), `largest first: ${amounts}`);
  assert.ok((await column(page, '状态')).every((s) => s === '待核准'));
  await screenshot(page, 'claims-queue-sorted');
  assertClean(page);
});

test('person search finds part of a name and an ID number\'s last digits', async () => {
  const page = await newPage(browser);
  await login(page, 'city');
  await visit(page, '/persons');
  await page.getByLabel('查找').fill('张');
  await Promise.all([page.waitForURL('**/persons'), page.getByRole('button', { name: '查询' }).click()]);
  const names = await column(page, '姓名');
  assert.ok(names.length > 0, 'the demo has persons named 张');
  assert.ok(names.every((n) => n.includes('张')), `all contain 张: ${names}`);
  assert.ok((await total(page)) >= names.length);
  await screenshot(page, 'persons-search-name');

  // The last four digits of the first hit's (masked) ID number find it.
  const masked = (await column(page, '身份证号码'))[0];
  const digits = masked.slice(-4);
  assert.match(digits, /^\d{3}[\dX]$/, `a masked ID ends in digits: ${masked}`);
  await page.getByLabel('查找').fill(digits);
  await Promise.all([page.waitForURL('**/persons'), page.getByRole('button', { name: '查询' }).click()]);
  assert.ok((await column(page, '姓名')).includes(names[0]), `${digits} finds ${names[0]}`);
  assert.ok((await column(page, '身份证号码')).every((id) => id.endsWith(digits)));
  assert.ok(!page.url().includes(digits), `no search text in the address: ${page.url()}`);
  await screenshot(page, 'persons-search-digits');
  assertClean(page);
});

test('batch approval shows the count and total per fund before it acts', async () => {
  const page = await newPage(browser);
  await login(page, 'city');
  await visit(page, '/claims?status=eligible');
  // Narrow: one county, the first subsidy type with clean claims in it.
  await page.locator('select[name=region]').selectOption('371502');
  const types = (await page.locator('select[name=type] option').evaluateAll((os) => os.map((o) => o.value))).filter((v) => v);
  let want = 0;
  for (const t of types) {
    await page.locator('select[name=type]').selectOption(t);
    await Promise.all([page.waitForURL(/type=/), page.getByRole('button', { name: '筛选' }).click()]);
    want = await total(page);
    if (want > 0) break;
  }
  assert.ok(want > 0, 'some clean claims in the county');
  const filtered = page.url();

  await Promise.all([page.waitForURL(/\/claims\/approve-clean\?/), page.getByRole('button', { name: '批量核准待核准申领' }).click()]);
  assert.equal(await page.locator('h1').innerText(), '批量核准确认');
  const summary = await page.locator('#batch-summary').innerText();
  const m = summary.match(/将核准 (\d+) 件，合计 ([\d,]+\.\d{2}) 元/);
  assert.ok(m, `count and total: ${summary}`);
  const count = Number(m[1]);
  assert.ok(count > 0 && count <= want, `${count} of ${want}`);
  const funds = await page.locator('#batch-funds tbody tr').allInnerTexts();
  assert.ok(funds.length >= 1, 'per fund');
  assert.ok(funds.every((f) => /\d[\d,]*\.\d{2} 元/.test(f)), `money as 1,234.56 元: ${funds}`);
  assert.ok(funds.every((f) => !/^\s*[A-Z]{2}\s/.test(f)), `fund names, not bare codes: ${funds}`);
  await screenshot(page, 'batch-approve-preview');

  await Promise.all([page.waitForURL(/done=approve/), page.getByRole('button', { name: `确认核准 ${count} 件` }).click()]);
  const notice = await page.locator('p.notice').innerText();
  assert.match(notice, new RegExp(`批量核准完成：核准 ${count} 件，合计 ${m[2].replace(/\./g, '\\.')} 元`));
  await screenshot(page, 'batch-approve-done');
  // Reloading the result does not approve again: it is a GET.
  const again = await page.reload();
  assert.ok(again.ok());
  await page.goto(filtered);
  assert.equal(await total(page), want - count, 'only held claims remain 待核准');
  assertClean(page);
});

test('the claims queue fits a 390 px phone', async () => {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'city');
  await visit(page, '/claims');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide at 390 px`);
  await screenshot(page, 'claims-queue-390');
  assertClean(page);
});
