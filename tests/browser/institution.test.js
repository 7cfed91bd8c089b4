// An institution's clerk sees its own classes and no other institution's:
// the city officer's class list (every class of the city) names the
// institutions; the clerk's list must be exactly the rows of its own.

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

/** The class list as [class number, institution] pairs. */
async function classes(page) {
  await visit(page, '/classes');
  const nos = await column(page, '班级编号');
  const insts = await column(page, '培训机构');
  return nos.map((no, i) => [no, insts[i]]);
}

test('an institution sees only its own classes', async () => {
  const officer = await newPage(browser);
  await login(officer, 'city');
  const all = await classes(officer);

  const page = await newPage(browser);
  await login(page, 'school');
  const own = await classes(page);
  const name = (await page.locator('header .who').innerText()).split('（')[0].trim();
  assert.ok(own.length > 0, 'the clerk sees its classes');
  assert.ok(own.every(([, inst]) => inst === name), `only ${name}'s classes`);
  // The officer's list shows the city's 500 latest classes (paging is issue
  // 14's), so every one of them that is this institution's must be in the
  // clerk's list; the clerk's own list is short enough to be whole.
  const ownNos = new Set(own.map(([no]) => no));
  const seen = all.filter(([, inst]) => inst === name).map(([no]) => no);
  assert.ok(seen.length > 0, 'the officer sees some of its classes');
  assert.deepEqual(seen.filter((no) => !ownNos.has(no)), [], 'all of its classes');
  const other = all.find(([, inst]) => inst !== name);
  assert.ok(other, 'the city has other institutions');
  assert.ok(!own.some(([no]) => no === other[0]), `${other[1]}'s class ${other[0]} is not shown`);
  await screenshot(page, 'classes-institution');

  // Another institution's records are out of reach, not merely unlisted.
  const res = await page.goto(new URL('/persons?q=张', page.url()).href);
  assert.equal(res.status(), 403);
  assertClean(page);
});
