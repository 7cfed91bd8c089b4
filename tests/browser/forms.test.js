// Forms in a real browser: post/redirect/get (after a form is posted the
// address is the result page's, and reloading it is a plain GET — no 405,
// no resubmit prompt), and refused forms keeping what was typed: the
// roster's attendance form keeps every trainee's hours and result, the
// enrolment form keeps the name and the ID number, the field in error is
// marked (aria-invalid).
//
// Self-contained on the demo: the clerk files a class starting a month
// ago, the city officer approves it, the clerk enrols two new trainees.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, visit, login, screenshot, assertClean } from './lib.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A valid 18-digit ID number (check digit of GB 11643). */
function idNumber(region, birth, seq) {
  const body = `${region}${birth}${String(seq).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** yyyy-mm-dd of today plus `days`. */
function day(days) {
  const d = new Date(Date.now() + days * 86400000);
  return d.toISOString().slice(0, 10);
}

/** Reloads the page: a GET answered 200 at a GET address (not a POST one). */
async function reloadIsGet(page, what) {
  const before = page.url();
  const res = await page.reload();
  assert.equal(res.status(), 200, `${what}: reload answered ${res.status()}`);
  assert.equal(res.request().method(), 'GET', `${what}: reload is a GET`);
  assert.equal(page.url(), before, `${what}: same address`);
}

/** Clicks a form's button and waits for the page it lands on: `url` (the
 * GET after a 303) when given, else the refused POST's own answer. */
async function submit(page, button, url) {
  const loaded = page.waitForEvent('load');
  await button.click();
  await loaded;
  if (url) {
    const refused = (await page.locator('#form-error').count()) ? await page.locator('#form-error').innerText() : '';
    assert.equal(page.url(), url, `landed on ${page.url()}: ${refused}`);
  }
}

test('forms redirect after POST and keep their input when refused', async () => {
  const clerk = await newPage(browser);
  await login(clerk, 'school');
  const classNo = `PRG${Date.now() % 100000000}`;

  // 开班备案: 303 to the class page; reloading it is a GET.
  await visit(clerk, '/classes/new');
  assert.ok(await clerk.locator('#occupations option').count(), 'the occupation picker offers the catalogue');
  // An occupation and level of the demo's catalogue (as web_filing files).
  const occupation = '6-31-01-03';
  assert.ok(await clerk.locator('#divisions option[value="371502"]').count(), 'the region picker');
  await clerk.getByLabel('班级编号').fill(classNo);
  await clerk.getByLabel('培训类型').selectOption('就业技能培训');
  await clerk.getByLabel('职业（工种）').fill(occupation);
  await clerk.getByLabel('培训地').fill('371502');
  await clerk.getByLabel('开班日期').fill(day(-30));
  await clerk.getByLabel('结业日期').fill(day(30));
  await clerk.getByLabel('等级').selectOption('四级');
  await clerk.getByLabel('计划课时').fill('40');
  await submit(clerk, clerk.getByRole('button', { name: '提交备案' }));
  const refused = await clerk.locator('#form-error').count() ? await clerk.locator('#form-error').innerText() : '';
  assert.match(clerk.url(), /\/classes\/\d+$/, `filed: ${refused}`);
  const classUrl = clerk.url();
  assert.match(await clerk.locator('#flash').innerText(), /已提交开班备案/);
  await reloadIsGet(clerk, 'filed class');
  assert.equal(await clerk.locator('#flash').count(), 0, 'the outcome is shown once');

  // The city officer approves it: back on the class page, reload is a GET.
  const officer = await newPage(browser);
  await login(officer, 'city');
  await officer.goto(classUrl);
  await submit(officer, officer.getByRole('button', { name: '备案通过' }), classUrl);
  assert.match(await officer.locator('#flash').innerText(), /已备案通过/);
  await reloadIsGet(officer, 'approved class');

  // The clerk enrols two new trainees; each post lands on the roster.
  const roster = `${classUrl}/roster`;
  await clerk.goto(roster);
  // Odd sequence numbers: men (the 17th digit's parity is the sex).
  const seq = 101 + 2 * (Date.now() % 200);
  const people = [
    ['周表单', idNumber('371502', '19900101', seq)],
    ['吴表单', idNumber('371502', '19910202', seq + 400)],
  ];
  for (const [name, id] of people) {
    const form = clerk.locator('#enrol');
    await form.getByLabel('姓名').fill(name);
    await form.getByLabel('身份证号码').fill(id);
    await form.getByLabel('性别').selectOption('男');
    await form.getByLabel('户籍地').fill('371502');
    await submit(clerk, form.getByRole('button', { name: '加入花名册' }), roster);
    assert.match(await clerk.locator('#flash').innerText(), new RegExp(`已将「${name}」加入花名册`));
  }
  await reloadIsGet(clerk, 'enrolled');
  await screenshot(clerk, 'forms-roster');

  // An enrolment refused: the name and the ID stay, the ID is marked.
  const badId = people[0][1].slice(0, 17) + (people[0][1].endsWith('1') ? '2' : '1');
  const form = clerk.locator('#enrol');
  await form.getByLabel('姓名').fill('郑保留');
  await form.getByLabel('身份证号码').fill(badId);
  await submit(clerk, form.getByRole('button', { name: '加入花名册' }));
  await clerk.waitForSelector('#form-error');
  const kept = clerk.locator('#enrol');
  assert.equal(await kept.getByLabel('姓名').inputValue(), '郑保留');
  assert.equal(await kept.getByLabel('身份证号码').inputValue(), badId);
  assert.equal(await kept.getByLabel('身份证号码').getAttribute('aria-invalid'), 'true');
  await screenshot(clerk, 'forms-enrol-refused');

  // Attendance refused (the second trainee's hours exceed the plan): every
  // trainee's hours and result stay as typed.
  await clerk.goto(roster);
  const typed = [
    [people[0][0], '12', '3', 'failed'],
    [people[1][0], '30', '20', 'passed'],
  ];
  for (const [name, off, on, done] of typed) {
    await clerk.getByLabel(`${name}线下课时`).fill(off);
    await clerk.getByLabel(`${name}线上课时`).fill(on);
    await clerk.getByLabel(`${name}结业结果`).selectOption(done);
  }
  await submit(clerk, clerk.getByRole('button', { name: '保存课时和结业结果' }));
  await clerk.waitForSelector('#form-error');
  for (const [name, off, on, done] of typed) {
    assert.equal(await clerk.getByLabel(`${name}线下课时`).inputValue(), off, `${name} offline kept`);
    assert.equal(await clerk.getByLabel(`${name}线上课时`).inputValue(), on, `${name} online kept`);
    assert.equal(await clerk.getByLabel(`${name}结业结果`).inputValue(), done, `${name} result kept`);
  }
  // The trainee in error is marked (the hours the refusal names), the other not.
  const marks = async (name) =>
    [await clerk.getByLabel(`${name}线下课时`).getAttribute('aria-invalid'), await clerk.getByLabel(`${name}线上课时`).getAttribute('aria-invalid')].filter((v) => v === 'true').length;
  assert.ok((await marks(people[1][0])) > 0, 'the trainee in error is marked');
  assert.equal(await marks(people[0][0]), 0, 'the other is not');
  await screenshot(clerk, 'forms-attendance-refused');

  // Saved: back on the roster, reload is a GET and shows the saved hours.
  await clerk.getByLabel(`${people[1][0]}线上课时`).fill('5');
  await submit(clerk, clerk.getByRole('button', { name: '保存课时和结业结果' }), roster);
  assert.match(await clerk.locator('#flash').innerText(), /已保存 2 名学员/);
  await reloadIsGet(clerk, 'attendance saved');
  assert.equal(await clerk.getByLabel(`${people[1][0]}线上课时`).inputValue(), '5');
  assert.ok(new URL(clerk.url()).href.startsWith(BASE));
  assertClean(clerk);
  assertClean(officer);
});
