// Windowed rendering of a long list with fixed-height rows, filled page by page.
// Pure arithmetic, so it is tested alone: the list view only measures and renders.

/** Height of one list row in CSS pixels; the row markup is pinned to it. */
export const ROW_HEIGHT = 48;
/** Rows per query (the core caps a query at 500). */
export const PAGE_SIZE = 200;
/** Rows rendered beyond each edge of the viewport, so short scrolls show no gap. */
export const RENDER_OVERSCAN = 8;
/** Rows fetched beyond each edge of the viewport: a page ahead in either direction. */
export const FETCH_OVERSCAN = PAGE_SIZE;
/** Pages kept in the cache; the ones furthest from the view go first. */
export const MAX_CACHED_PAGES = 60;

/** Half-open row range: `start` is the first row, `end` is one past the last. */
export interface Range {
  start: number;
  end: number;
}

const clamp = (n: number, lo: number, hi: number): number => Math.min(Math.max(n, lo), hi);

/** Rows at least partly inside a viewport of `height` pixels scrolled to `scrollTop`. */
export function visibleRange(scrollTop: number, height: number, total: number, rowHeight = ROW_HEIGHT): Range {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const start = clamp(Math.floor(top / rowHeight), 0, total - 1);
  // At least one row, even before the viewport has been measured.
  const end = clamp(Math.ceil((top + Math.max(height, 0)) / rowHeight), start + 1, total);
  return { start, end };
}

/** A range widened by `by` rows on each side, kept within `0..total`. */
export function widen(range: Range, by: number, total: number): Range {
  if (range.end <= range.start) return { start: 0, end: 0 };
  return { start: clamp(range.start - by, 0, total), end: clamp(range.end + by, 0, total) };
}

/** Rows to put in the DOM: the visible ones plus a few either side. */
export function renderRange(
  scrollTop: number,
  height: number,
  total: number,
  rowHeight = ROW_HEIGHT,
  overscan = RENDER_OVERSCAN,
): Range {
  return widen(visibleRange(scrollTop, height, total, rowHeight), overscan, total);
}

export function pageOf(index: number, pageSize = PAGE_SIZE): number {
  return Math.floor(index / pageSize);
}

/**
 * Page indexes to have loaded for a viewport: every page holding a visible row, or a row
 * within `overscan` rows of one. Pages with visible rows come first (they are fetched
 * first), then the overscan pages, nearest first.
 */
export function pagesToFetch(visible: Range, total: number, pageSize = PAGE_SIZE, overscan = FETCH_OVERSCAN): number[] {
  if (visible.end <= visible.start || total <= 0) return [];
  const wide = widen(visible, overscan, total);
  const firstVisible = pageOf(visible.start, pageSize);
  const lastVisible = pageOf(visible.end - 1, pageSize);
  const out: number[] = [];
  for (let p = firstVisible; p <= lastVisible; p++) out.push(p);
  const before: number[] = [];
  for (let p = firstVisible - 1; p >= pageOf(wide.start, pageSize); p--) before.push(p);
  const after: number[] = [];
  for (let p = lastVisible + 1; p <= pageOf(wide.end - 1, pageSize); p++) after.push(p);
  // Interleave, nearest first: after[0], before[0], after[1], …
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (i < after.length) out.push(after[i]);
    if (i < before.length) out.push(before[i]);
  }
  return out;
}

/** The `offset`/`limit` of a page query. */
export function pageQuery(page: number, pageSize = PAGE_SIZE): { offset: number; limit: number } {
  return { offset: page * pageSize, limit: pageSize };
}

/** One rendered row: a loaded item, or `null` for a placeholder of the same height. */
export interface Slot<T> {
  index: number;
  item: T | null;
}

/** The rows of `range`, each with its item when its page is in `pages` (else a placeholder). */
export function slots<T>(range: Range, pages: ReadonlyMap<number, readonly T[]>, pageSize = PAGE_SIZE): Slot<T>[] {
  const out: Slot<T>[] = [];
  for (let index = range.start; index < range.end; index++) {
    const page = pages.get(pageOf(index, pageSize));
    out.push({ index, item: page?.[index - pageOf(index, pageSize) * pageSize] ?? null });
  }
  return out;
}

/** Total height of the scrolled content. */
export function contentHeight(total: number, rowHeight = ROW_HEIGHT): number {
  return Math.max(0, total) * rowHeight;
}

/** Where the rendered rows start, measured from the top of the content. */
export function offsetOf(index: number, rowHeight = ROW_HEIGHT): number {
  return index * rowHeight;
}

/**
 * The scroll position that brings row `index` fully into view, moving as little as
 * possible (unchanged when it is already in view).
 */
export function scrollToReveal(index: number, scrollTop: number, height: number, rowHeight = ROW_HEIGHT): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  // A viewport shorter than a row shows the row's top.
  if (bottom > scrollTop + height) return Math.max(0, Math.min(top, bottom - height));
  return scrollTop;
}

/** Rows a Page Up/Down moves by: one viewport, less a row of context, at least one. */
export function rowsPerPage(height: number, rowHeight = ROW_HEIGHT): number {
  return Math.max(1, Math.floor(height / rowHeight) - 1);
}

/**
 * Cached pages to drop so at most `max` remain: those furthest from `keep` (the pages in
 * view) go first; pages in `keep` are never dropped.
 */
export function pagesToEvict(cached: Iterable<number>, keep: readonly number[], max = MAX_CACHED_PAGES): number[] {
  const all = [...cached];
  if (all.length <= max || keep.length === 0) return [];
  const kept = new Set(keep);
  const lo = Math.min(...keep);
  const hi = Math.max(...keep);
  const distance = (p: number) => (p < lo ? lo - p : p > hi ? p - hi : 0);
  return all
    .filter((p) => !kept.has(p))
    .sort((a, b) => distance(b) - distance(a) || b - a)
    .slice(0, all.length - max);
}
