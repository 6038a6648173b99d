// WCAG 2 contrast, measured in the running app: one script, executed in the page, reads every
// visible text element's colour and the background it is drawn on, and every form control's
// border and focus ring against what surrounds it.
//
// Text needs 4.5:1, large text (24px, or 18.66px bold) 3:1; a form control's border and its
// focus ring are user-interface components and need 3:1 (WCAG 1.4.3, 1.4.11). Disabled
// controls are measured too, as drawn (their opacity included), against the same 4.5:1.

/**
 * Runs inside the page (passed to `browser.execute`, so it must not close over anything).
 * Returns `{ checked, failures, lowest }`: how many things were measured, each one below its
 * minimum (element, text, colours, ratio), and the lowest ratio found of each kind (text,
 * placeholder, border, focus ring).
 */
export function measureContrast() {
  const parse = (css) => {
    const m = /rgba?\(([^)]+)\)/.exec(css ?? '');
    if (!m) return null;
    const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  // `over` drawn on top of the opaque `under`.
  const blend = (over, under) => ({
    r: over.r * over.a + under.r * (1 - over.a),
    g: over.g * over.a + under.g * (1 - over.a),
    b: over.b * over.a + under.b * (1 - over.a),
    a: 1,
  });
  const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const lum = (c) => {
    const ch = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  };
  const ratio = (a, b) => {
    const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\s+/).filter((c) => c && !c.startsWith('svelte-')) : [];
    if (cls.length) s += '.' + cls.slice(0, 3).join('.');
    const testid = el.getAttribute('data-testid');
    if (testid) s += `[data-testid=${testid}]`;
    const parent = el.parentElement?.closest('[id]');
    return parent && parent !== el ? `${s} in #${parent.id}` : s;
  };

  // The page's own background: the canvas colour when nothing paints one.
  const rootBg = (() => {
    for (const el of [document.body, document.documentElement]) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c && c.a > 0) return { ...c, a: 1 };
    }
    return matchMedia('(prefers-color-scheme: dark)').matches ? { r: 0, g: 0, b: 0, a: 1 } : { r: 255, g: 255, b: 255, a: 1 };
  })();

  /** The colour behind `el`: its own and its ancestors' backgrounds, blended down to an opaque one. */
  const backgroundOf = (el, { includeSelf = true } = {}) => {
    const layers = [];
    let node = includeSelf ? el : el.parentElement;
    for (; node && node.nodeType === 1; node = node.parentElement) {
      const cs = getComputedStyle(node);
      const c = parse(cs.backgroundColor);
      const opacity = Number(cs.opacity);
      if (c && c.a > 0) {
        layers.push({ ...c, a: c.a * (opacity < 1 ? opacity : 1) });
        if (c.a >= 1 && opacity >= 1) break;
      }
    }
    let bg = rootBg;
    for (let i = layers.length - 1; i >= 0; i -= 1) bg = blend(layers[i], bg);
    return bg;
  };
  /** The product of the opacities of `el` and its ancestors. */
  const opacityOf = (el) => {
    let o = 1;
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) o *= Number(getComputedStyle(n).opacity);
    return o;
  };
  const shown = (el) => {
    const rects = el.getClientRects();
    if (rects.length === 0) return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false; // visually hidden
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible') return false;
    if (el.closest('.visually-hidden, [hidden]')) return false;
    return opacityOf(el) > 0.05;
  };

  // WebKit's getComputedStyle does not resolve `::placeholder`: take the colour of the last
  // `::placeholder` rule whose element part matches (resolved in place, so var() works), or
  // the engine's own default (darkGray) when no rule sets one.
  const placeholderRules = [];
  const collect = (rules) => {
    for (const rule of rules) {
      if (rule.cssRules && !rule.selectorText) {
        if (!rule.media || matchMedia(rule.media.mediaText).matches) collect(rule.cssRules);
        continue;
      }
      if (!rule.selectorText || !rule.style?.color) continue;
      for (const sel of rule.selectorText.split(',')) {
        if (/::?(-webkit-input-)?placeholder/.test(sel)) {
          placeholderRules.push({ base: sel.replace(/::?(-webkit-input-)?placeholder/, '').trim() || '*', color: rule.style.color });
        }
      }
    }
  };
  for (const sheet of document.styleSheets) {
    try {
      collect(sheet.cssRules);
    } catch {
      /* another origin's sheet */
    }
  }
  const placeholderColour = (el) => {
    let value = 'darkgray';
    for (const r of placeholderRules) if (el.matches(r.base)) value = r.color;
    const probe = document.createElement('span');
    probe.style.color = value;
    el.parentElement.appendChild(probe);
    const c = parse(getComputedStyle(probe).color);
    probe.remove();
    return c;
  };

  const failures = [];
  let checked = 0;
  const lowest = {};
  const note = (kind, el, text, fg, bg, min) => {
    const r = ratio(fg, bg);
    checked += 1;
    const entry = { kind, element: describe(el), text, fg: hex(fg), bg: hex(bg), ratio: Math.round(r * 100) / 100, min };
    if (!lowest[kind] || r < lowest[kind].ratio) lowest[kind] = entry;
    if (r < min - 0.005) failures.push(entry);
  };

  const controls = 'input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=range]):not([type=color]), select, textarea';
  const all = document.body.querySelectorAll('*');
  for (const el of all) {
    if (['SCRIPT', 'STYLE', 'OPTION', 'OPTGROUP', 'TEMPLATE', 'svg'].includes(el.tagName)) continue;
    const isControl = el.matches(controls);
    let text = '';
    if (isControl) {
      text = el.tagName === 'SELECT' ? (el.selectedOptions[0]?.textContent ?? '') : el.value;
    } else {
      for (const n of el.childNodes) if (n.nodeType === 3) text += n.textContent;
    }
    text = text.replace(/\s+/g, ' ').trim();
    const placeholder = isControl && !el.value && el.getAttribute('placeholder');
    if (!text && !placeholder && !isControl) continue;
    if (!shown(el)) continue;
    const cs = getComputedStyle(el);
    const bg = backgroundOf(el);
    const size = parseFloat(cs.fontSize);
    const bold = Number(cs.fontWeight) >= 700;
    const large = size >= 24 || (size >= 18.66 && bold);
    const min = large ? 3 : 4.5;
    const opacity = opacityOf(el);
    const isSvg = el instanceof SVGElement;
    if (text) {
      const raw = parse(isSvg ? cs.fill : cs.color);
      if (raw && raw.a > 0) note('text', el, text.slice(0, 60), blend({ ...raw, a: raw.a * opacity }, bg), bg, min);
    }
    if (placeholder) {
      const ph = placeholderColour(el);
      if (ph && ph.a > 0) note('placeholder', el, `placeholder “${placeholder.slice(0, 50)}”`, blend({ ...ph, a: ph.a * opacity }, bg), bg, 4.5);
    }
    if (isControl) {
      // The border against what is outside the control (WCAG 1.4.11: 3:1).
      const outside = backgroundOf(el, { includeSelf: false });
      const border = parse(cs.borderTopColor);
      if (parseFloat(cs.borderTopWidth) > 0 && border && border.a > 0) {
        note('border', el, `border of ${el.getAttribute('aria-label') ?? el.name ?? el.id}`, blend({ ...border, a: border.a * opacity }, outside), outside, 3);
      }
    }
  }

  // The body chart's regions are controls too (one click marks one): their outlines 3:1
  // against the chart behind them, marked or not.
  for (const el of document.querySelectorAll('svg [data-region]')) {
    if (!shown(el)) continue;
    const cs = getComputedStyle(el);
    const stroke = parse(cs.stroke);
    if (!stroke || stroke.a === 0 || parseFloat(cs.strokeWidth) === 0) continue;
    const outside = backgroundOf(el, { includeSelf: false });
    note('chart region', el, `outline of region ${el.getAttribute('data-region')} (${el.getAttribute('data-mark') || 'not marked'})`, blend(stroke, outside), outside, 3);
  }

  // Focus rings: focus each control and button (without scrolling), read the outline, restore.
  const before = document.activeElement;
  const scrollers = [...document.querySelectorAll('*')].filter((e) => e.scrollTop > 0).map((e) => [e, e.scrollTop]);
  const seen = new Set();
  for (const el of document.body.querySelectorAll(`${controls}, button, a[href], summary`)) {
    if (!shown(el) || el.disabled) continue;
    el.focus({ preventScroll: true });
    if (document.activeElement !== el) continue;
    const cs = getComputedStyle(el);
    if (cs.outlineStyle === 'none' || parseFloat(cs.outlineWidth) === 0) continue;
    const ring = parse(cs.outlineColor);
    if (!ring || ring.a === 0) continue;
    // With a non-negative offset the ring is drawn outside the element, on its surroundings.
    const outside = backgroundOf(el, { includeSelf: parseFloat(cs.outlineOffset) < 0 });
    const key = `${hex(ring)}/${hex(outside)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    note('focus ring', el, `focus ring of ${el.id || el.textContent.trim().slice(0, 30)}`, blend(ring, outside), outside, 3);
  }
  if (before instanceof HTMLElement) before.focus({ preventScroll: true });
  else document.activeElement?.blur?.();
  for (const [e, top] of scrollers) e.scrollTop = top;

  return { checked, failures, lowest };
}

/** A failure list a person can act on: one line per element. */
export function formatFailures(screen, failures) {
  return failures
    .map((f) => `${screen}: ${f.kind} ${f.element} “${f.text}”: ${f.fg} on ${f.bg} = ${f.ratio}:1 (needs ${f.min}:1)`)
    .join('\n');
}
