// Launch the real Stillpoint binary through tauri-driver (which starts WebKitWebDriver) and
// hand back a webdriverio browser. One tauri-driver per launch, on free ports, with the
// app's own data folder in its environment. Stopped with SIGTERM, never SIGKILL: a killed
// tauri-driver orphans WebKitWebDriver on its port.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, existsSync, mkdirSync, writeFileSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { freePort, waitForPort } from './ports.mjs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
export const APP_BINARY = process.env.STILLPOINT_BINARY ?? join(root, 'target', 'debug', 'stillpoint');
const SEED_BINARY = join(root, 'target', 'debug', 'stillpoint-seed');
const TAURI_DRIVER = process.env.TAURI_DRIVER ?? join(root, '.tools', 'bin', 'tauri-driver');
export const ARTIFACTS = join(root, 'e2e', '.artifacts');

export function newDataDir(label) {
  return mkdtempSync(join(tmpdir(), `stillpoint-e2e-${label}-`));
}

/**
 * The system colour scheme per theme: WebKitGTK answers `prefers-color-scheme` from the GTK
 * theme, and a `:dark` variant in `GTK_THEME` makes it `dark` (under Xvfb, no settings daemon).
 */
export const THEMES = { light: { GTK_THEME: 'Adwaita' }, dark: { GTK_THEME: 'Adwaita:dark' } };

/**
 * Start the app on `dataDir`; resolves once the UI has said it is ready. `env` adds to the
 * app's environment (e.g. a HOME of its own, where the save dialog opens); `theme` ('light'
 * or 'dark') chooses the system colour scheme the app sees.
 */
export async function launch(dataDir, { env = {}, as = ADMIN, theme = null } = {}) {
  for (const [what, path] of [['app binary', APP_BINARY], ['tauri-driver', TAURI_DRIVER]]) {
    if (!existsSync(path)) throw new Error(`${what} not found at ${path}; run make e2e`);
  }
  const port = await freePort();
  const nativePort = await freePort();
  const log = [];
  const driver = spawn(TAURI_DRIVER, ['--port', String(port), '--native-port', String(nativePort)], {
    env: { ...process.env, ...(theme ? THEMES[theme] : {}), ...env, STILLPOINT_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  driver.stdout.on('data', (d) => log.push(String(d)));
  driver.stderr.on('data', (d) => log.push(String(d)));
  const exited = new Promise((res) => driver.once('exit', res));
  let browser;
  try {
    await waitForPort(port, 15000);
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'error',
      connectionRetryCount: 2,
      capabilities: { 'tauri:options': { application: APP_BINARY } },
    });
    await browser.setTimeout({ implicit: 0 });
    if (as) {
      await logIn(browser, as);
      await browser.waitUntil(
        async () => (await browser.execute(() => document.body?.dataset.ready ?? '')) === 'true',
        { timeout: 20000, timeoutMsg: 'the UI never reported ready' },
      );
    } else {
      // The caller drives the first screen itself: wait until there is one.
      await browser.waitUntil(
        async () => ['setup', 'login', 'ready', 'failed'].includes(await browser.execute(() => document.body?.dataset.phase ?? '')),
        { timeout: 20000, timeoutMsg: 'the UI never reported its phase' },
      );
    }
  } catch (e) {
    await stop({ browser, driver, exited });
    throw new Error(`launch failed: ${e.message}\n--- tauri-driver log ---\n${log.join('')}`);
  }
  return { browser, driver, exited, dataDir, log };
}

/** The administrator the harness sets up on a new data folder (and the demo's admin). */
export const ADMIN = { username: 'admin', password: 'demo password', displayName: 'Alex Admin' };

async function typeInto(browser, sel, value) {
  const input = await browser.$(sel);
  await input.waitForDisplayed({ timeout: 10000, timeoutMsg: `${sel} never showed` });
  await input.clearValue();
  await input.setValue(value);
}

/**
 * Get past the first screen as a person would: on a new data folder, set up the
 * administrator and acknowledge the recovery key; otherwise log in as `user`.
 */
export async function logIn(browser, user) {
  let phase = '';
  await browser.waitUntil(
    async () => {
      phase = await browser.execute(() => document.body?.dataset.phase ?? '');
      return ['setup', 'login', 'ready', 'failed'].includes(phase);
    },
    { timeout: 20000, timeoutMsg: 'the UI never reported its phase' },
  );
  if (phase === 'setup') {
    await typeInto(browser, '#field-setup-username', user.username);
    await typeInto(browser, '#field-setup-display_name', user.displayName ?? user.username);
    await typeInto(browser, '#field-setup-password', user.password);
    await typeInto(browser, '#field-setup-password_confirm', user.password);
    await (await browser.$('#setup-submit')).click();
    const key = await browser.$('#recovery-key');
    await key.waitForDisplayed({ timeout: 15000, timeoutMsg: 'the recovery key never showed' });
    browser.recoveryKey = await key.getText();
    await (await browser.$('#recovery-saved')).click();
    await (await browser.$('#recovery-continue')).click();
  } else if (phase === 'login') {
    await typeInto(browser, '#field-login-username', user.username);
    await typeInto(browser, '#field-login-password', user.password);
    await (await browser.$('#login-submit')).click();
  }
}

/** Every process below `pid` (WebKitWebDriver, the app, its WebKit processes). */
function descendants(pid) {
  const out = [];
  for (const task of safeReaddir(`/proc/${pid}/task`)) {
    let kids = '';
    try {
      kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const kid of kids.split(' ').filter(Boolean).map(Number)) {
      out.push(kid, ...descendants(kid));
    }
  }
  return out;
}

function safeReaddir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function stop({ browser, driver, exited }) {
  if (browser) {
    try { await browser.deleteSession(); } catch { /* the app may already be gone */ }
  }
  if (!driver) return;
  // Remember what runs below the driver: after a crash WebKitWebDriver can outlive it.
  const below = descendants(driver.pid);
  if (driver.exitCode === null && driver.signalCode === null) {
    driver.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
  }
  for (const pid of below) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  // Whatever is left must not keep this test file's event loop alive.
  driver.stdout?.destroy();
  driver.stderr?.destroy();
  driver.unref();
}

/** Close the app and its driver. */
export async function quit(app) {
  await stop(app);
}

/**
 * Save a screenshot (for docs and for failures). WebKitWebDriver's own screenshot is offset
 * when an inner pane is scrolled, so `{ screen: true }` grabs the real X display instead
 * (ImageMagick's import), which is exactly what a person sees.
 */
export async function screenshot(app, name, { screen = false } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  if (screen && process.env.DISPLAY) {
    await new Promise((r) => setTimeout(r, 300)); // let the last paint land
    execFileSync('import', ['-window', 'root', '-crop', '1200x800+0+0', file]);
  } else {
    writeFileSync(file, Buffer.from(await app.browser.takeScreenshot(), 'base64'));
  }
  return file;
}

/** The app binary's real path (symlinks resolved), as /proc/PID/exe shows it. */
function appRealPath() {
  try {
    return realpathSync(APP_BINARY);
  } catch {
    return APP_BINARY;
  }
}

/** The pids of app processes started for `dataDir` (matched by the environment they got). */
function appPids(dataDir) {
  const want = `STILLPOINT_DATA_DIR=${dataDir}`;
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc names the file itself: compare with the binary's real path (target may be a link).
      if (readlinkSync(`/proc/${entry}/exe`) !== appRealPath()) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(want)) pids.push(Number(entry));
    } catch {
      /* gone, or not ours */
    }
  }
  return pids;
}

/** Kill the app with SIGKILL, as a crash or power cut would: no chance to save or close. */
export async function crash(app) {
  const pids = appPids(app.dataDir);
  if (pids.length === 0) throw new Error('no app process found to kill');
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const until = Date.now() + 5000;
  while (appPids(app.dataDir).length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop({ ...app, browser: undefined });
  return pids.length;
}

/**
 * Answer the native save dialog (GTK, on the Xvfb display) the way a person does: wait for
 * it, focus it, optionally type a file name over the suggested one, and press Enter — or
 * Escape to cancel. Returns the name the dialog suggested.
 */
export async function answerSaveDialog({ name = null, cancel = false, timeout = 15000 } = {}) {
  return answerFileDialog({ title: 'Save export', name, cancel, timeout });
}

/**
 * Answer a native file dialog titled `title`: `name` typed (into the name field of a save
 * dialog, or the location field of an `open` one), then Enter; or Escape with `cancel`.
 */
export async function answerFileDialog({ title, name = null, cancel = false, open = false, timeout = 15000 }) {
  const until = Date.now() + timeout;
  let win = '';
  while (!win && Date.now() < until) {
    try {
      win = execFileSync('xdotool', ['search', '--onlyvisible', '--name', `^${title}$`], { encoding: 'utf8' })
        .trim()
        .split('\n')[0];
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!win) throw new Error(`the dialog “${title}” did not open`);
  execFileSync('xdotool', ['windowfocus', '--sync', win]);
  await new Promise((r) => setTimeout(r, 300)); // let GTK settle focus on the name field
  if (cancel) {
    execFileSync('xdotool', ['key', '--clearmodifiers', 'Escape']);
    return;
  }
  if (name !== null) {
    // A save dialog's name field has the focus; an open dialog types into its location field.
    if (open) await new Promise((r) => setTimeout(r, 700)); // the file list loads first
    execFileSync('xdotool', ['key', '--clearmodifiers', open ? 'ctrl+l' : 'ctrl+a']);
    if (open) await new Promise((r) => setTimeout(r, 500));
    execFileSync('xdotool', ['type', '--delay', '5', name]);
    // Let the location field's completion settle, or Enter only accepts the completion.
    if (open) await new Promise((r) => setTimeout(r, 800));
  }
  execFileSync('xdotool', ['key', '--clearmodifiers', 'Return']);
}

/** Write the demo clinic into `dataDir` with the core's seeder; returns the ids it made. */
export function seedDemo(dataDir) {
  return JSON.parse(execFileSync(SEED_BINARY, [dataDir], { encoding: 'utf8' }));
}
