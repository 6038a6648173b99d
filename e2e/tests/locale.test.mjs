// Dates in the user's locale: WebKitGTK lays out a date input in the order of the web view's
// language, which under a bare C locale is en-US-POSIX (10/25/2026). The app gives the web
// view the user's locale (LC_ALL, LC_TIME, LANG, then the system's default, else en-GB:
// day-month-year). The page sees it as navigator.language; the dashboard's period inputs are
// photographed under each (e2e/.artifacts/locale-dashboard-<name>.png).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { launch, quit, newDataDir, screenshot, seedDemo } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

let app;
let b;
const { visible, click } = ui(() => b);
const dataDir = newDataDir('locale');
seedDemo(dataDir);

after(async () => {
  if (app) await quit(app);
});

/** What the system's own files name, as the core reads them (null when they name none). */
function systemLocale() {
  for (const file of ['/etc/default/locale', '/etc/locale.conf']) {
    if (!existsSync(file)) continue;
    const vars = Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim().replace(/^export /, ''))
        .filter((l) => !l.startsWith('#') && l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim().replace(/^["']|["']$/g, '')]),
    );
    const value = ['LC_ALL', 'LC_TIME', 'LANG'].map((k) => vars[k]).find((v) => v);
    const name = value?.split(/[.@]/)[0];
    if (name && !/^(C|POSIX)$/i.test(name)) return name.replace('_', '-');
  }
  return null;
}

// LC_ALL and LC_TIME of the machine running the tests must not decide for the case.
const CASES = [
  { name: 'C', env: { LANG: 'C.UTF-8', LC_ALL: '', LC_TIME: '' }, expect: systemLocale() ?? 'en-GB' },
  { name: 'en_GB', env: { LANG: 'en_GB.UTF-8', LC_ALL: '', LC_TIME: '' }, expect: 'en-GB' },
  { name: 'en_US', env: { LANG: 'en_US.UTF-8', LC_ALL: '', LC_TIME: '' }, expect: 'en-US' },
  { name: 'LC_TIME-de_DE', env: { LANG: 'en_US.UTF-8', LC_ALL: '', LC_TIME: 'de_DE.UTF-8' }, expect: 'de-DE' },
];

for (const c of CASES) {
  test(`${c.name}: the web view's language is ${c.expect}, and the dashboard's period inputs follow it`, async () => {
    app = await launch(dataDir, { env: c.env });
    b = app.browser;
    assert.deepEqual(await b.execute(() => [navigator.language, ...navigator.languages]), [c.expect, c.expect]);
    await click('#nav-dashboard');
    await visible('#dashboard-from');
    await b.execute(() => document.getElementById('main')?.scrollTo({ top: 0 }));
    await screenshot(app, `locale-dashboard-${c.name}`, { screen: true });
    await quit(app);
    app = null;
  });
}
