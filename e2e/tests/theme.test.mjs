// Light and dark, from the system setting, in the real app: every screen and form is walked
// in each theme, and on each one every visible text, placeholder, form-control border and
// focus ring is measured against the background it is drawn on (WCAG AA: 4.5:1 for text,
// 3:1 for large text and for controls). A screenshot of each lands in
// e2e/.artifacts/theme-<screen>-<light|dark>.png.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, quit, newDataDir, screenshot, seedDemo, logIn, ADMIN } from '../lib/harness.mjs';
import { measureContrast, formatFailures } from '../lib/contrast.mjs';
import { ui } from '../lib/ui.mjs';

let app;
let b;
const { el, visible, fill, click, texts, until, search } = ui(() => b);

after(async () => {
  if (app) await quit(app);
});

/** Each theme's failures and the lowest ratio it found, for the summary. */
const report = { light: { failures: [], lowest: {}, checked: 0 }, dark: { failures: [], lowest: {}, checked: 0 } };

async function waitForPaint() {
  await b.execute(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Screenshot the screen as it is now, then measure it (optionally after scrolling `to` into view). */
async function check(theme, screen, { to = null, shots = [] } = {}) {
  await waitForPaint();
  if (to) await b.execute((sel) => document.querySelector(sel)?.scrollIntoView({ block: 'start' }), to);
  await screenshot(app, `theme-${screen}-${theme}`, { screen: true });
  for (const [suffix, sel] of shots) {
    await b.execute((s) => document.querySelector(s)?.scrollIntoView({ block: 'center' }), sel);
    await new Promise((r) => setTimeout(r, 300)); // a save status or re-render settles first
    await screenshot(app, `theme-${screen}-${suffix}-${theme}`, { screen: true });
  }
  const result = await b.execute(measureContrast);
  const r = report[theme];
  r.checked += result.checked;
  assert.ok(result.checked > 3, `${screen} (${theme}): only ${result.checked} things measured — is the screen there?`);
  for (const [kind, low] of Object.entries(result.lowest)) {
    if (!r.lowest[kind] || low.ratio < r.lowest[kind].ratio) r.lowest[kind] = { screen, ...low };
  }
  r.failures.push(formatFailures(`${screen} (${theme})`, result.failures));
}

/** Open the first session row whose text has `words` (Li's draft, Ann's amended note). */
async function clickRow(words) {
  await until(async () => (await texts('[data-testid="session-row"]')).some((t) => t.includes(words)), `no session row with “${words}”`);
  const rows = await b.$$('[data-testid="session-row"]');
  for (const row of rows) {
    if ((await row.getText()).includes(words)) return row.click();
  }
}

/** Run `walk`; when it fails, keep a screenshot of where it stopped. */
async function walking(name, walk) {
  try {
    await walk();
  } catch (e) {
    if (app) {
      await screenshot(app, `theme-failed-${name}`, { screen: true }).catch(() => {});
      await quit(app);
      app = null;
    }
    throw e;
  }
}

async function openClient(name) {
  await click('#nav-clients');
  await search(name);
  const [first, last] = name.split(' ');
  const only = new RegExp(`${first}.*${last}|${last}.*${first}`, 'i');
  await until(
    async () => {
      const rows = await texts('[data-testid="client-row"]');
      return rows.length === 1 && only.test(rows[0]);
    },
    `${name} not listed`,
    10000,
  );
  await click('[data-testid="client-row"]');
  await visible('#client-name');
}

for (const theme of ['light', 'dark']) {
  test(`${theme}: the system colour scheme reaches the app`, async () => {
    app = await launch(newDataDir(`theme-setup-${theme}`), { theme, as: null });
    b = app.browser;
    const dark = await b.execute(() => matchMedia('(prefers-color-scheme: dark)').matches);
    assert.equal(dark, theme === 'dark');
    const bg = await b.execute(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, theme === 'dark' ? 'rgb(20, 26, 29)' : 'rgb(245, 247, 248)');
  });

  test(`${theme}: first run — setup, its errors, the recovery key, the empty client list`, async () => {
    await visible('#field-setup-username');
    await check(theme, 'setup');
    await click('#setup-submit');
    await visible('#error-setup-username');
    await check(theme, 'setup-errors');
    await fill('setup-username', ADMIN.username);
    await fill('setup-display_name', ADMIN.displayName);
    await fill('setup-password', ADMIN.password);
    await fill('setup-password_confirm', ADMIN.password);
    await click('#setup-submit');
    await visible('#recovery-key', 15000);
    await check(theme, 'recovery-key');
    await click('#recovery-saved');
    await click('#recovery-continue');
    await visible('[data-testid="empty-state"]', 15000);
    await check(theme, 'clients-empty');
    await quit(app);
    app = null;
  });

  test(`${theme}: every screen of a clinic with records`, () => walking(theme, async () => {
    const dataDir = newDataDir(`theme-${theme}`);
    seedDemo(dataDir);
    app = await launch(dataDir, { theme, as: null });
    b = app.browser;
    await visible('#field-login-username');
    await check(theme, 'login');
    await logIn(b, ADMIN);
    await until(async () => (await b.execute(() => document.body.dataset.ready)) === 'true', 'never ready', 20000);

    await until(async () => (await texts('[data-testid="client-row"]')).length > 0, 'the client list never loaded', 10000);
    await check(theme, 'client-list');

    await click('#new-client');
    await visible('#client-form');
    await click('#save-client');
    await visible('#error-first_name');
    await check(theme, 'client-form');

    await openClient('li wei');
    await visible('[data-testid="red-flag-alert"]');
    await check(theme, 'client-red-flag');
    await click('#archive-client');
    await visible('#confirm-archive');
    await check(theme, 'archive-confirm');
    await click('#cancel-archive');

    await click('#new-intake');
    await visible('#intake-form');
    await check(theme, 'intake-form');

    await openClient('li wei');
    await clickRow('Draft');
    await visible('#session-form');
    // One region of each mark kind (each click moves a region to the next kind).
    const regions = ['upper_trapezius_right', 'temporalis_right', 'suboccipitals_left', 'cervical_spine'];
    for (const [i, region] of regions.entries()) {
      for (let n = 0; n <= i; n += 1) await click(`#body-chart [data-region="${region}"]`);
    }
    await check(theme, 'session-note', { shots: [['body-chart', '#body-chart']] });

    await openClient('ann smith');
    await clickRow('1 amendment');
    await visible('[data-testid="amendment"]');
    await check(theme, 'signed-session');

    await openClient('ann smith');
    await click('#open-history');
    await visible('#history-title');
    await until(async () => (await b.$$('#chart-pain canvas')).length > 0, 'the pain chart never drew', 10000);
    await check(theme, 'history', { shots: [['charts', '#outcomes figure']] });

    await click('#nav-search');
    const box = await visible('#search-text');
    await box.setValue('levator');
    await until(async () => (await b.$$('[data-testid="search-hit"]')).length > 0, 'no search hits', 10000);
    await check(theme, 'search');

    await click('#nav-dashboard');
    await visible('[data-testid="stat-active-clients"]');
    await check(theme, 'dashboard');

    await click('#nav-techniques');
    await visible('#new-technique-name');
    await check(theme, 'techniques');

    await click('#nav-admin');
    await visible('#admin-users');
    await check(theme, 'admin', {
      shots: [
        ['backups', '#admin-backups'],
        ['audit', '#admin-audit'],
        ['settings', '#admin-settings'],
      ],
    });

    await click('#nav-about');
    await visible('#licences-summary', 10000);
    await check(theme, 'about', { shots: [['licences', '#licences-summary']] });

    await click('#change-password');
    await visible('#change-password-form');
    await click('#change-password-submit');
    await check(theme, 'change-password');
    await b.keys('Escape');

    if (await (await el('#change-password-form')).isExisting()) await b.refresh();
    await click('#lock-now');
    await visible('#field-login-password', 10000);
    await check(theme, 'locked');
    await quit(app);
    app = null;
  }));
}

test('every text and control meets WCAG AA in both themes', () => {
  for (const theme of ['light', 'dark']) {
    const r = report[theme];
    console.log(`${theme}: ${r.checked} measured; lowest of each kind:`);
    for (const low of Object.values(r.lowest)) {
      console.log(`  ${low.kind}: ${low.ratio}:1 (needs ${low.min}) — ${low.element} “${low.text}” ${low.fg} on ${low.bg}, ${low.screen}`);
    }
  }
  const failures = [...report.light.failures, ...report.dark.failures].filter(Boolean).join('\n');
  assert.equal(failures, '', `contrast below WCAG AA:\n${failures}`);
});
