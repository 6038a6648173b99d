// Names in every script render in the real app: a Chinese name with emoji, a Devanagari
// and an Arabic one, on the client list and the client page. Checked in the pixels a person
// sees: where each word or emoji is laid out (a DOM range's rectangles), the screenshot has
// ink, and the emoji are in colour. Without a font for a script WebKit draws nothing there
// (the blank gaps of issue 14); without a colour emoji font an emoji is a grey outline or a
// gap.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, quit, newDataDir, screenshot } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const NAMES = [
  { first: '王秀英', last: 'Wang 😀🧘', words: ['王秀英'], emoji: ['😀', '🧘'] },
  { first: 'देवनागरी', last: 'नाम', words: ['देवनागरी', 'नाम'], emoji: [] },
  { first: 'مريم', last: 'العلي', words: ['مريم', 'العلي'], emoji: [] },
];

const dataDir = newDataDir('scripts');
let app;
let b;

before(async () => {
  app = await launch(dataDir);
  b = app.browser;
});

after(async () => {
  if (app) await quit(app);
});

const { visible, click, texts, until, invoke } = ui(() => b);

/**
 * In the page: the rectangle (viewport pixels) where each of `parts` is drawn inside the
 * text of `selector`'s `nth` match, from a DOM range over its characters.
 */
function rectsOf(selector, nth, parts) {
  const root = document.querySelectorAll(selector)[nth];
  if (!root) return null;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const out = {};
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const part of parts) {
      const at = node.data.indexOf(part);
      if (at < 0 || out[part]) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + part.length);
      const boxes = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      const left = Math.min(...boxes.map((r) => r.left));
      const right = Math.max(...boxes.map((r) => r.right));
      const top = Math.min(...boxes.map((r) => r.top));
      const bottom = Math.max(...boxes.map((r) => r.bottom));
      const k = window.devicePixelRatio || 1;
      out[part] = boxes.length
        ? { x: Math.round(left * k), y: Math.round(top * k), w: Math.round((right - left) * k), h: Math.round((bottom - top) * k) }
        : { x: 0, y: 0, w: 0, h: 0 };
    }
  }
  return out;
}

/** One number from ImageMagick about the `r` crop of `file`, after `ops`. */
function measureCrop(file, r, ops) {
  const out = execFileSync('convert', [file, '-crop', `${r.w}x${r.h}+${r.x}+${r.y}`, '+repage', ...ops, 'info:'], {
    encoding: 'utf8',
  });
  return Number(out.trim());
}

/** The share of the crop's pixels that are ink: darker than mid-grey (light theme). */
const ink = (file, r) => measureCrop(file, r, ['-colorspace', 'Gray', '-threshold', '55%', '-format', '%[fx:1-mean]']);

/** The share of the crop's pixels that are strongly coloured (saturation above 40%). */
const colour = (file, r) =>
  measureCrop(file, r, ['-colorspace', 'HSB', '-channel', 'G', '-separate', '+channel', '-threshold', '40%', '-format', '%[fx:mean]']);

/** Every word of every name has ink where it is laid out, and every emoji has colour. */
function assertDrawn(file, where, found, names = NAMES) {
  const problems = [];
  for (const n of names) {
    const rects = found[n.first];
    assert.ok(rects, `${n.first} ${n.last} is not on the ${where}`);
    for (const w of n.words) {
      const r = rects[w];
      const share = r && r.w > 0 ? ink(file, r) : 0;
      // A drawn word of these sizes inks 8-25% of its box; nothing drawn inks 0%.
      if (!(r?.w >= 5 * [...w].length && share > 0.05)) {
        problems.push(`“${w}” on the ${where}: box ${JSON.stringify(r)}, ink ${(share * 100).toFixed(1)}%`);
      }
    }
    for (const e of n.emoji) {
      const r = rects[e];
      const share = r && r.w > 0 ? colour(file, r) : 0;
      if (!(r?.w >= 8 && share > 0.15)) {
        problems.push(`“${e}” on the ${where}: box ${JSON.stringify(r)}, colour ${(share * 100).toFixed(1)}%`);
      }
    }
  }
  assert.deepEqual(problems, [], `names not drawn (no font for the script?), screenshot ${file}:\n${problems.join('\n')}`);
}

test('names in Chinese with emoji, Devanagari and Arabic are drawn on the client list', async () => {
  for (const n of NAMES) {
    const made = await invoke('create_client', { fields: { first_name: n.first, last_name: n.last } });
    assert.equal(made.ok, true, JSON.stringify(made));
  }
  await click('#nav-clients');
  await until(async () => (await texts('[data-testid="client-row"]')).length === NAMES.length, 'the three clients never showed in the list');
  await new Promise((r) => setTimeout(r, 300)); // let the last paint land
  const found = {};
  const rows = await texts('[data-testid="client-row"] strong');
  for (const n of NAMES) {
    const nth = rows.findIndex((t) => t.includes(n.first));
    assert.ok(nth >= 0, `no row for ${n.first}: ${JSON.stringify(rows)}`);
    found[n.first] = await b.execute(rectsOf, '[data-testid="client-row"] strong', nth, [...n.words, ...n.emoji]);
  }
  const file = await screenshot(app, 'names-in-every-script');
  assertDrawn(file, 'client list', found);
});

test('each name is drawn as the client page heading', async () => {
  for (const n of NAMES) {
    await click('#nav-clients');
    const rows = await texts('[data-testid="client-row"] strong');
    const nth = rows.findIndex((t) => t.includes(n.first));
    const row = (await b.$$('[data-testid="client-row"]'))[nth];
    await row.click();
    await until(async () => (await (await visible('#client-name')).getText()).includes(n.first), `the page of ${n.first} never opened`);
    await new Promise((r) => setTimeout(r, 300));
    const found = { [n.first]: await b.execute(rectsOf, '#client-name', 0, [...n.words, ...n.emoji]) };
    const file = await screenshot(app, `client-page-script-${NAMES.indexOf(n)}`);
    assertDrawn(file, `page of ${n.first}`, found, [n]);
  }
});
