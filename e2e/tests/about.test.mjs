// The About screen, in the real app: reached from the sidebar by an administrator and by a
// therapist; the version (the workspace's), the schema version (as many as the migrations),
// the data and backups folders (the ones the app was started on), each opened by its button
// through the desktop's opener (a stand-in `xdg-open` on PATH records what it was asked to
// open), and the licence of a known crate and a known npm package from the generated list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, quit, newDataDir, screenshot, seedDemo } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// What the screen must say, from the sources rather than written here.
const VERSION = /\[workspace\.package\]\s*\nversion = "([^"]+)"/.exec(readFileSync(join(root, 'Cargo.toml'), 'utf8'))[1];
const SCHEMA = readdirSync(join(root, 'src', 'db', 'migrations')).filter((f) => /^\d{4}_.*\.sql$/.test(f)).length;

// A stand-in for the desktop's opener: it writes down what it was asked to open.
const bin = mkdtempSync(join(tmpdir(), 'stillpoint-e2e-opener-'));
const opened = join(bin, 'opened.log');
writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${opened}'\n`);
chmodSync(join(bin, 'xdg-open'), 0o755);
const env = { PATH: `${bin}:${process.env.PATH}` };
const openedPaths = () => (existsSync(opened) ? readFileSync(opened, 'utf8').split('\n').filter(Boolean) : []);

const dataDir = newDataDir('about');
let app;
let b;
const { visible, fill, click, text, texts, until } = ui(() => b);

before(async () => {
  app = await launch(dataDir, { env });
  b = app.browser;
});

after(async () => {
  if (app) await quit(app);
});

test('About shows the version, the schema, and where the data and backups are', async () => {
  const items = await texts('nav[aria-label="Main"] .nav-item');
  assert.equal(items.at(-1), 'About', items.join(', '));
  await click('#nav-about');
  await visible('#about-version');
  assert.equal(await text('#about-version'), VERSION);
  assert.equal(await text('#about-schema-version'), String(SCHEMA));
  assert.match(await text('#about-schema'), new RegExp(`knows up to ${SCHEMA}\\b`));
  assert.equal(await text('#about-data-path'), dataDir);
  assert.equal(await text('#about-database-file'), join(dataDir, 'stillpoint.db'));
  assert.equal(await text('#about-backups-path'), join(dataDir, 'backups'));
  assert.match(await text('#about-storage'), /This computer/);
  assert.equal(await b.getTitle(), 'About Stillpoint — Stillpoint');
});

test('each folder button opens that folder with the desktop’s opener', async () => {
  await click('#open-data-folder');
  await until(async () => openedPaths().includes(dataDir), `the data folder was never opened (${openedPaths()})`);
  await click('#open-backups-folder');
  const backups = join(dataDir, 'backups');
  await until(async () => openedPaths().includes(backups), `the backups folder was never opened (${openedPaths()})`);
  assert.ok(existsSync(backups), 'the backups folder exists once opened');
  assert.deepEqual(openedPaths(), [dataDir, backups]);
  assert.equal(await (await b.$('#open-data-error')).isExisting(), false);
});

test('the licence of every bundled library, from the dependency tree', async () => {
  await until(
    async () => (await texts('#licences-summary, #licences-error')).length > 0,
    'the licences never listed',
  );
  assert.deepEqual(await texts('#licences-error'), []);
  const summary = await text('#licences-summary');
  const m = /^(\d+) Rust crates and (\d+) JavaScript packages, under (\d+) licences:$/.exec(summary);
  assert.ok(m, summary);
  assert.ok(Number(m[1]) > 100, summary);
  const crateRows = await texts('#licences-crates tbody tr');
  assert.equal(crateRows.length, Number(m[1]));
  await screenshot(app, 'about', { screen: true });

  // rusqlite is MIT; svelte's runtime is in the screens; a test-only crate is not listed.
  const row = async (table, name) =>
    b.execute(
      (t, n) => {
        const tr = document.querySelector(`#${t} tr[data-name="${n}"]`);
        return tr ? [...tr.cells].map((c) => c.textContent.trim()) : null;
      },
      table,
      name,
    );
  const rusqlite = await row('licences-crates', 'rusqlite');
  assert.equal(rusqlite?.[2], 'MIT', String(rusqlite));
  assert.match(rusqlite[1], /^\d+\.\d+\.\d+$/);
  assert.equal((await row('licences-npm', 'svelte'))?.[2], 'MIT');
  assert.equal(await row('licences-crates', 'proptest'), null);

  await fill('library', 'rusqlite');
  await until(async () => (await texts('#licences-crates tbody tr')).length < crateRows.length, 'the filter never narrowed the list');
  const narrowed = await texts('#licences-crates tbody tr');
  assert.ok(narrowed.includes(`rusqlite ${rusqlite[1]} MIT`), narrowed.join('\n'));
  assert.ok(narrowed.every((r) => r.includes('rusqlite')), narrowed.join('\n'));
  assert.equal(await (await b.$('#licences-npm')).isExisting(), false);
  await b.execute(() => document.getElementById('about-licences').scrollIntoView());
  await b.pause(3000); // the narrowed list painted
  await screenshot(app, 'about-licence-filter', { screen: true });
  await fill('library', 'no such library');
  await visible('#licences-none');
  assert.equal((await texts('#licences-crates tbody tr')).length, 0);
});

test('a therapist reaches About too', async () => {
  await quit(app);
  app = null;
  const demo = newDataDir('about-demo');
  seedDemo(demo);
  app = await launch(demo, { env, as: { username: 'jo.park', password: 'demo password' } });
  b = app.browser;
  const items = await texts('nav[aria-label="Main"] .nav-item');
  assert.deepEqual(items, ['Clients', 'Search', 'Techniques', 'About']);
  await click('#nav-about');
  assert.equal(await text('#about-version'), VERSION);
  assert.equal(await text('#about-data-path'), demo);
  assert.equal(await text('#about-schema-version'), String(SCHEMA));
});
