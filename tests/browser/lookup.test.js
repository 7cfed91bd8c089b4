// The worker sees their own e-archive; anyone, without logging in, looks
// up that worker's certificate by 姓名 + 证书编号 and by 姓名 + 证件号码
// (the full number an officer reveals, audited) and sees the occupation,
// level, issue date, issuer and the ID masked.

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

const MASKED = /^\d{4}\*{10}\d{3}[\dX]$/;

/** Looks up as a visitor; returns the result row as {header: cell}. */
async function lookup(page, fields) {
  await visit(page, '/certificates/lookup');
  for (const [label, value] of Object.entries(fields)) {
    await page.getByLabel(label).fill(value);
  }
  // A POST rendered directly: the address carries no name or ID number.
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/certificates/lookup') && r.request().method() === 'POST'),
    page.getByRole('button', { name: '查询' }).click(),
  ]);
  await page.waitForLoadState('load');
  assert.equal(new URL(page.url()).search, '', `no query in ${page.url()}`);
  const headers = await page.locator('table thead th').allInnerTexts();
  const cells = await page.locator('table tbody tr').first().locator('td').allInnerTexts();
  return Object.fromEntries(headers.map((h, i) => [h.trim(), cells[i]?.trim()]));
}

test('a worker sees their archive; the public looks up their certificate', async () => {
  const worker = await newPage(browser);
  await login(worker, 'worker');
  assert.match(new URL(worker.url()).pathname, /^\/me/);
  const name = (await worker.locator('h1').innerText()).replace(' 的电子档案', '').trim();
  const masked = (await worker.locator('#id-number').innerText()).trim();
  assert.match(masked, MASKED);
  const certNos = await worker.locator('#certificates + .scroll table tbody tr td:first-child').allInnerTexts();
  assert.ok(certNos.length > 0, 'the sample worker holds a certificate');
  await screenshot(worker, 'e-archive-worker');
  assertClean(worker);

  // An officer reveals the full ID number (written to the audit trail).
  const officer = await newPage(browser);
  await login(officer, 'city');
  await visit(officer, `/persons?q=${encodeURIComponent(name)}`);
  const ids = await column(officer, '身份证号码');
  const row = ids.findIndex((id) => id.trim() === masked);
  assert.ok(row >= 0, `${masked} among ${ids}`);
  await officer.locator('tbody tr').nth(row).getByRole('link', { name: '电子档案' }).click();
  await officer.getByRole('button', { name: '查看完整号码' }).click();
  await officer.locator('#id-number').filter({ hasText: /^\d{17}[\dX]$/ }).waitFor();
  const full = (await officer.locator('#id-number').innerText()).trim();
  assert.equal(full.slice(0, 4), masked.slice(0, 4));
  await screenshot(officer, 'e-archive-officer');

  // A visitor, by name and certificate number, then by name and ID number.
  const visitor = await newPage(browser);
  const byCert = await lookup(visitor, { 姓名: name, 证书编号: certNos[0].trim() });
  await screenshot(visitor, 'lookup-result');
  const byId = await lookup(visitor, { 姓名: name, 证件号码: full });
  for (const r of [byCert, byId]) {
    assert.equal(r['姓名'], name);
    assert.match(r['证件号码'], MASKED);
    assert.ok(r['职业（工种）'], `occupation: ${JSON.stringify(r)}`);
    // A level (五级…一级), or — for a certificate without one (专项职业能力).
    assert.match(r['等级'], /级|^—$/);
    assert.match(r['发证日期'], /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(r['发证机构'], `issuer: ${JSON.stringify(r)}`);
  }
  assert.ok(certNos.map((c) => c.trim()).includes(byId['证书编号']));
  assert.ok(!(await visitor.content()).includes(full), 'the full ID number is never shown');

  // A wrong pair finds nothing.
  await visit(visitor, `/certificates/lookup?name=${encodeURIComponent(name)}&cert_no=S0000000000`);
  assert.match(await visitor.locator('main').innerText(), /未查询到相符的证书/);
  assertClean(visitor);
});
