// MIDAS and the care plan, in the real app on the demo clinic, as María González's therapist
// (the demo's one client with neither yet; Ann and Ravi have theirs from the demo):
// MIDAS recorded twice (a bad answer refused under its field first, nothing saved; then the
// score and grade the core computed shown), a care plan set (a bad phase refused under its
// field), and the history showing the MIDAS trend with its summary and the plan's adherence.
// Then corrections: a MIDAS answer corrected with its reason (the answers as given still
// shown), and a day of Ann's diary typed in 30 days ago changed only with a reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, quit, newDataDir, screenshot, seedDemo } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const JO = { username: 'jo.park', password: 'demo password', displayName: 'Jo Park' };
const dataDir = newDataDir('midas');
const demo = seedDemo(dataDir);
let app;
let b;
const { visible, fill, fillDate, click, text, texts, until, invoke, search } = ui(() => b);

/** The day `n` days before today (UTC, as the core's "today"), `YYYY-MM-DD`. */
const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  app = await launch(dataDir, { as: JO });
  b = app.browser;
});

after(async () => {
  if (app) await quit(app);
});

async function openMaria() {
  await until(async () => (await texts('[data-testid="client-row"]')).length > 0, 'the client list never loaded');
  await search('maría gonzález');
  await until(async () => (await texts('[data-testid="client-row"]')).length === 1, 'María not listed', 10000);
  await click('[data-testid="client-row"]');
  await visible('#client-name');
}

/** Replace what a box holds the way a person does: into it, select all, type (or delete). */
async function retype(name, value) {
  await click(`#field-${name}`);
  await b.keys(['Control', 'a']);
  await b.keys(value === '' ? 'Backspace' : value);
}

/** A screenshot of the real display, once the app has painted (the machine may be busy). */
async function shot(name) {
  await new Promise((r) => setTimeout(r, 1500));
  await screenshot(app, name, { screen: true });
}

/** The page as WebKit drew it (through WebDriver), not the display, which lags when busy. */
async function pageShot(name) {
  await screenshot(app, name);
}

async function answer(values) {
  for (const [name, v] of Object.entries(values)) await fill(name, String(v));
}

test('MIDAS recorded twice: a bad answer is refused under its field, then the core’s score and grade are shown', async () => {
  await openMaria();
  await visible('#midas-heading');
  assert.equal((await texts('[data-testid="midas-row"]')).length, 0);

  await click('#new-midas');
  await visible('#midas-form');
  await fillDate('answered_on', daysAgo(84));
  await answer({ missed_work: '2.5', reduced_work: 8, missed_household: 6, reduced_household: 6, missed_leisure: 4, headache_days: 30, average_pain: 7 });
  await click('#save-midas');
  assert.match(await text('#error-missed_work'), /whole number from 0 to 92/);
  const none = await invoke('list_midas', { clientId: demo.maria });
  assert.equal(none.ok, true);
  assert.equal(none.value.length, 0, 'nothing was saved');
  await shot('midas-form-error');

  await retype('missed_work', '10');
  await click('#save-midas');
  await visible('#midas-result');
  assert.equal(await text('#midas-score'), '34');
  assert.equal(await text('#midas-grade'), 'Grade IV — severe disability');
  await shot('midas-form-saved');
  await click('#midas-done');
  await visible('#client-name');
  await until(async () => (await texts('[data-testid="midas-row"]')).length === 1, 'the first MIDAS is not listed');

  await click('#new-midas');
  await visible('#midas-form');
  await fillDate('answered_on', daysAgo(1));
  await answer({ missed_work: 2, reduced_work: 2, missed_household: 2, reduced_household: 2, missed_leisure: 1 });
  await click('#save-midas');
  await visible('#midas-result');
  assert.equal(await text('#midas-score'), '9');
  assert.equal(await text('#midas-grade'), 'Grade II — mild disability');
  await click('#midas-done');
  await until(async () => (await texts('[data-testid="midas-row"]')).length === 2, 'both MIDAS are not listed');
  const rows = await texts('[data-testid="midas-row"]');
  assert.match(rows[0], /Score 9 Grade II — mild disability/, 'newest first');
  assert.match(rows[1], /Score 34 Grade IV — severe disability/);
});

test('a care plan is set from the intake’s goals; a bad phase is refused under its field', async () => {
  await click('#edit-care-plan');
  await visible('#care-plan-form');
  const intakes = await invoke('list_intakes', { clientId: demo.maria });
  assert.equal(await (await visible('#field-goals')).getValue(), intakes.value[0].goals, 'goals start from the latest intake');
  assert.equal((await texts('[data-testid="phase"]')).length, 2);
  await fillDate('starts_on', daysAgo(70));
  await fillDate('next_reassessment_on', daysAgo(-14));
  await retype('phases-0-for_weeks', '');
  await click('#field-shared_with_physician');
  await click('#save-care-plan');
  assert.match(await text('#error-phases-0-for_weeks'), /only the last phase may go on with no end/);
  assert.equal((await invoke('care_plan', { clientId: demo.maria })).value.plan, null, 'nothing was saved');
  await shot('care-plan-form-error');

  await retype('phases-0-for_weeks', '6');
  await shot('care-plan-form');
  await click('#save-care-plan');
  await visible('#client-name');
  assert.equal(await text('#plan-frequency'), 'weekly for 6 weeks, then every 2 weeks');
  const state = (await invoke('care_plan', { clientId: demo.maria })).value;
  assert.equal(state.plan.shared_with_physician, true);
  assert.ok(state.adherence.attended > 0, 'María’s signed sessions since the start count');
  assert.equal(state.adherence.planned, 9, '6 weekly, then 3 fortnightly in 70 days');
  assert.equal(await text('#plan-adherence'), state.adherence.summary);
  await b.execute(() => document.getElementById('care-plan')?.scrollIntoView({ block: 'start' }));
  await shot('client-care-plan-and-midas');
});

test('the history shows the MIDAS trend with its summary and the plan’s adherence', async () => {
  await click('#open-history');
  await visible('#history-title');
  await visible('#history-midas');
  const state = (await invoke('care_plan', { clientId: demo.maria })).value;
  assert.match(await text('#history-adherence'), new RegExp(`^${state.adherence.attended} of 9`));
  assert.match(await text('#history-adherence'), /planned sessions attended since/);
  assert.match(await text('#chart-midas-summary'), /^2 MIDAS questionnaires\. First 34 \(grade IV\) on .+, latest 9 \(grade II\) on .+: 25 points lower\.$/);
  await until(async () => {
    const size = await b.execute(() => {
      const c = document.querySelector('#chart-midas canvas');
      return c ? [c.clientWidth, c.clientHeight] : [0, 0];
    });
    return size[0] > 200 && size[1] > 100;
  }, 'the MIDAS chart was never drawn');
  await b.execute(() => document.getElementById('history-care-plan')?.scrollIntoView({ block: 'start' }));
  await shot('history-midas-and-adherence');
  await b.execute(() => document.getElementById('history-midas')?.scrollIntoView({ block: 'start' }));
  await shot('history-midas-trend');
});

test('a MIDAS answer corrected with its reason: the answers as given stay shown, the score and the trend use the correction and say so', async () => {
  await click('#back');
  await visible('#client-name');
  await until(async () => (await texts('[data-testid="midas-row"]')).length === 2, 'the MIDAS rows are not listed');
  // The older one (listed second): question 1 was 10 days; she counted school holidays.
  await b.execute(() => document.querySelectorAll('[data-testid="correct-midas"]')[1].click());
  await visible('[data-testid="midas-correction-form"]');
  assert.equal(await text('#help-midas-fix-corrections-missed_work'), 'Now 10 days');

  // Refused by field, nothing written: no reason, then question 1 and 2 together over 92 days.
  await fill('midas-fix-corrections-missed_work', '2');
  await click('[data-testid="save-midas-correction"]');
  assert.match(await text('#error-midas-fix-reason'), /Say why the answer is being corrected/);
  await fill('midas-fix-reason', 'She counted school holidays as missed days');
  await retype('midas-fix-corrections-missed_work', '');
  await fill('midas-fix-corrections-reduced_work', '90');
  await click('[data-testid="save-midas-correction"]');
  assert.match(await text('#error-midas-fix-corrections-reduced_work'), /92/);
  const unchanged = (await invoke('list_midas', { clientId: demo.maria })).value;
  assert.deepEqual(unchanged.map((m) => m.corrections.length), [0, 0], 'nothing was written');
  await pageShot('midas-correction-error');

  await retype('midas-fix-corrections-reduced_work', '');
  await fill('midas-fix-corrections-missed_work', '2');
  await click('[data-testid="save-midas-correction"]');
  await until(async () => (await texts('[data-testid="midas-correction"]')).length === 1, 'the correction is not listed');
  const rows = await texts('[data-testid="midas-row"]');
  assert.match(rows[1], /Score 26 Grade IV — severe disability/, 'rescored with the corrected answer');
  assert.match(rows[1], /As answered: score 34 \(Grade IV — severe disability\)\. Work missed 10,/);
  assert.match(
    (await texts('[data-testid="midas-correction"]'))[0],
    /^Question 1 \(work or school missed\) corrected from 10 days to 2 days — She counted school holidays as missed days · Jo Park/,
  );
  const stored = (await invoke('list_midas', { clientId: demo.maria })).value;
  assert.equal(stored[0].as_answered.answers.missed_work, 10, 'the answer as given is kept');
  await b.execute(() => document.querySelectorAll('[data-testid="midas-row"]')[1]?.scrollIntoView({ block: 'center' }));
  await pageShot('midas-corrected');

  await click('#open-history');
  await visible('#history-midas');
  assert.match(
    await text('#chart-midas-summary'),
    /^2 MIDAS questionnaires\. First 26 \(grade IV\) on .+, latest 9 \(grade II\) on .+: 17 points lower\. Scores use the corrected answers of 1 questionnaire; the answers as given are kept\.$/,
  );
});

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

test('a diary day recorded before today is changed only with a reason, kept beside the new values, and the history says so', async () => {
  // Ann's first six weeks of diary were typed in 30 days ago (the demo's clock).
  const old = daysAgo(40);
  const month = old.slice(0, 7);
  const stored = (await invoke('diary_month', { clientId: demo.ann, month })).value.days;
  const day = stored.filter((d) => d.day <= daysAgo(31) && d.headache && d.peak_intensity !== null).at(-1);
  assert.ok(day, `Ann has a headache day in ${month} typed in before today`);
  assert.equal(day.reason_needed, true);
  const was = day.peak_intensity;
  const now = was === 9 ? 3 : 9;
  const dd = day.day.slice(8);

  await click('#nav-clients');
  await search('ann smith');
  // The list still holds the last search (María) until this one comes back: wait for Ann.
  await until(async () => {
    const rows = await texts('[data-testid="client-row"]');
    return rows.length === 1 && /Ann/.test(rows[0]) && /Smith/.test(rows[0]);
  }, 'Ann is not listed alone', 10000);
  await click('[data-testid="client-row"]');
  await visible('#diary-grid');
  const title = `${MONTHS[Number(month.slice(5)) - 1]} ${month.slice(0, 4)}`;
  // Back a month at a time, each click once the month before it has shown.
  for (let i = 0; i < 3 && (await text('#diary-month')) !== title; i++) {
    const shown = await text('#diary-month');
    await click('#diary-previous');
    await until(async () => (await text('#diary-month')) !== shown, 'the grid did not go back a month');
  }
  await until(async () => (await text('#diary-month')) === title, `the grid never showed ${title}`);

  // The page may still be settling (sections load on their own): make sure the cursor is in
  // this day's box before typing.
  const box = `#field-d${dd}-peak_intensity`;
  await b.execute((sel) => document.querySelector(sel)?.scrollIntoView({ block: 'center' }), box);
  await until(async () => {
    await click(box);
    return b.execute((sel) => document.activeElement === document.querySelector(sel), box);
  }, 'the peak intensity box never took the cursor');
  await b.keys(['Control', 'a']);
  await b.keys(String(now));
  await until(async () => (await (await visible(box)).getValue()) === String(now), 'the new peak was not typed in');
  await visible(`#field-d${dd}-reason`);
  // Leaving the day without a reason: refused under the reason box, nothing written.
  await click('#diary-month');
  await until(async () => /say why it is being changed/.test(await text(`#error-d${dd}-reason`)), 'no reason was asked for');
  const same = (await invoke('diary_month', { clientId: demo.ann, month })).value.days.find((d) => d.day === day.day);
  assert.equal(same.peak_intensity, was, 'nothing was written');
  assert.equal(same.corrections.length, 0);
  await b.execute((d) => document.querySelector(`[data-day="${d}"]`)?.scrollIntoView({ block: 'center' }), day.day);
  await pageShot('diary-correction-reason');

  await fill(`d${dd}-reason`, 'She misread her own handwriting when she copied it out');
  await click('#diary-month');
  await until(async () => (await texts('[data-testid="diary-correction"]')).length === 1, 'the correction is not listed');
  assert.match(
    (await texts('[data-testid="diary-correction"]'))[0],
    new RegExp(`^Corrected: peak intensity ${was} → ${now} — She misread her own handwriting when she copied it out · Jo Park`),
  );
  const fixed = (await invoke('diary_month', { clientId: demo.ann, month })).value.days.find((d) => d.day === day.day);
  assert.equal(fixed.peak_intensity, now);
  await b.execute((d) => document.querySelector(`[data-day="${d}"]`)?.scrollIntoView({ block: 'center' }), day.day);
  await pageShot('diary-corrected');

  await click('#open-history');
  await visible('#chart-diary-corrections');
  assert.equal(
    await text('#chart-diary-corrections'),
    'The diary figures use the corrected values of 1 day (changed with a reason after they were recorded); the earlier values are kept.',
  );
});
