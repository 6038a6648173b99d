// The webview is locked down: the CSP forbids eval and remote loads, and the capability
// file lets it call Stillpoint's own commands only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, quit, newDataDir } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

let app;
before(async () => { app = await launch(newDataDir('hardening')); });
after(async () => { if (app) await quit(app); });

const { invoke } = ui(() => app.browser);

test('there is no global Tauri object', async () => {
  assert.equal(await app.browser.execute(() => typeof window.__TAURI__), 'undefined');
});

test('the CSP blocks inline scripts and allows no eval', async () => {
  const result = await app.browser.execute(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.appendChild(s);
    return window.__inlineRan === true;
  });
  assert.equal(result, false, 'an inline script ran despite the CSP');
  const csp = await app.browser.execute(
    () => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? '',
  );
  assert.doesNotMatch(csp, /unsafe-eval/);
});

test('our own commands are allowed', async () => {
  const r = await invoke('app_status');
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.value.ready, true);
});

test('commands outside the capability are refused', async () => {
  for (const [cmd, args] of [
    ['plugin:window|set_title', { label: 'main', value: 'pwned' }],
    ['plugin:event|emit', { event: 'x', payload: null }],
    ['plugin:app|version', {}],
  ]) {
    const r = await invoke(cmd, args);
    assert.equal(r.ok, false, `${cmd} was allowed`);
    const message = typeof r.error === 'string' ? r.error : r.error?.message ?? JSON.stringify(r.error);
    assert.match(message, /not allowed|denied|permission/i, `${cmd}: ${message}`);
  }
  assert.match(await app.browser.getTitle(), /Stillpoint/);
  assert.doesNotMatch(await app.browser.getTitle(), /pwned/);
});
