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

test('wrong JSON from the page is refused by field, in words, and writes nothing', async () => {
  const created = await invoke('create_client', { fields: { first_name: 'Gate', last_name: 'Keeper' } });
  assert.equal(created.ok, true, JSON.stringify(created));
  const clientId = created.value.id;
  const refused = async (cmd, args, field) => {
    const r = await invoke(cmd, args);
    assert.equal(r.ok, false, `${cmd} accepted ${JSON.stringify(args)}`);
    assert.equal(r.error.code, 'validation', JSON.stringify(r.error));
    assert.equal(r.error.field, field, JSON.stringify(r.error));
    assert.doesNotMatch(r.error.message, /invalid type|invalid args|expected|f64|`/, r.error.message);
    return r.error;
  };

  // An unknown field in an intake: refused, and no intake was created.
  await refused('record_intake', { clientId, input: { assessed_on: '2026-11-01', evil: 1 } }, 'evil');
  const intakes = await invoke('list_intakes', { clientId });
  assert.deepEqual(intakes.value, []);

  // A string where a number belongs, an unknown region: the draft keeps what it had.
  const session = await invoke('start_session', { clientId });
  assert.equal(session.ok, true, JSON.stringify(session));
  const id = session.value.id;
  const e = await refused('save_session_draft', { id, input: { pain_before: '11' } }, 'pain_before');
  assert.equal(e.message, 'Pain before the session must be a number.');
  await refused(
    'save_session_draft',
    { id, input: { marks: [{ region: 'left_big_toe', kind: 'tension' }] } },
    'marks.0.region',
  );
  const kept = await invoke('get_session', { id });
  assert.equal(kept.value.pain_before, null);
  assert.deepEqual(kept.value.marks, []);

  // An unknown enum value, an unknown top-level argument, hostile text in an unknown field.
  await refused('add_user', { input: { username: 'mallory', display_name: 'M', role: 'superuser', password: 'a long password' } }, 'role');
  const users = await invoke('list_users');
  assert.equal(users.value.some((u) => u.username === 'mallory'), false);
  await refused('get_client', { id: clientId, evil: 1 }, 'evil');
  await refused('create_client', { fields: { first_name: 'X', last_name: 'Y', '<script>': "'; DROP TABLE" } }, '<script>');
  const found = await invoke('list_clients', { query: { search: 'X Y', include_archived: false, limit: 5, offset: 0 } });
  assert.equal(found.value.total, 0, JSON.stringify(found.value));
});
