// An officer uploads a persons file whose every row is wrong: the result is
// shown as a failure (red, 导入未成功), not in the green of a success, and
// a row with three problems lists all three.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage, visit, login, screenshot, assertClean } from './lib.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('an upload that rejected every row is reported as a failure with every error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jineng-uploads-'));
  const file = join(dir, '全部错误.csv');
  writeFileSync(file, '姓名,身份证号码,户籍地\n,123,999999\n李四,456,371502\n');
  const page = await newPage(browser);
  await login(page, 'city');
  await visit(page, '/imports');
  await page.getByLabel('模板类型').selectOption('persons');
  await page.getByLabel('文件').setInputFiles(file);
  await Promise.all([page.waitForURL(/\/imports\/[^/]+$/), page.getByRole('button', { name: '上传并导入' }).click()]);
  const done = page.locator('#import-status.done');
  await done.waitFor({ timeout: 30_000 });
  const result = done.locator('p.import-result');
  assert.match(await result.innerText(), /导入未成功：全部 2 行均被拒绝/);
  assert.equal(await done.locator('p.notice').count(), 0, 'no success notice');
  const color = await result.evaluate((e) => getComputedStyle(e).color);
  const [r, g] = color.match(/\d+/g).map(Number);
  assert.ok(r > g, `a failure colour, not green: ${color}`);
  assert.equal(await result.getAttribute('role'), 'alert');

  const rows = done.locator('table.errors tbody tr');
  assert.equal(await rows.count(), 2);
  const first = await rows.nth(0).locator('li').allInnerTexts();
  assert.equal(first.length, 3, `every error of row 2: ${first}`);
  for (const column of ['「姓名」', '「身份证号码」', '「户籍地」']) {
    assert.ok(first.some((t) => t.startsWith(column)), `${column} in ${first}`);
  }
  await screenshot(page, 'import-all-rejected');
  assertClean(page);
});
