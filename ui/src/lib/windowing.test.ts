import { describe, expect, it } from 'vitest';
import {
  contentHeight,
  offsetOf,
  pageOf,
  pageQuery,
  pagesToEvict,
  pagesToFetch,
  renderRange,
  rowsPerPage,
  scrollToReveal,
  slots,
  visibleRange,
  widen,
} from './windowing';

// Round numbers so the arithmetic is easy to follow: rows of 50px, a 500px viewport (10 rows).
const ROW = 50;
const VIEW = 500;

describe('visible rows', () => {
  it('covers the rows inside the viewport, partly shown ones included', () => {
    expect(visibleRange(0, VIEW, 1000, ROW)).toEqual({ start: 0, end: 10 });
    expect(visibleRange(25, VIEW, 1000, ROW)).toEqual({ start: 0, end: 11 });
    expect(visibleRange(5000, VIEW, 1000, ROW)).toEqual({ start: 100, end: 110 });
  });

  it('stops at the last row and never starts past it', () => {
    expect(visibleRange(49_800, VIEW, 1000, ROW)).toEqual({ start: 996, end: 1000 });
    // a stale scroll position from a longer list
    expect(visibleRange(1_000_000, VIEW, 1000, ROW)).toEqual({ start: 999, end: 1000 });
    expect(visibleRange(0, VIEW, 3, ROW)).toEqual({ start: 0, end: 3 });
  });

  it('is empty for an empty list, and one row before the viewport is measured', () => {
    expect(visibleRange(0, VIEW, 0, ROW)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(0, 0, 1000, ROW)).toEqual({ start: 0, end: 1 });
    expect(visibleRange(-40, VIEW, 1000, ROW)).toEqual({ start: 0, end: 10 });
  });
});

describe('rendered rows', () => {
  it('adds a few rows either side, within the list', () => {
    expect(renderRange(5000, VIEW, 1000, ROW, 8)).toEqual({ start: 92, end: 118 });
    expect(renderRange(0, VIEW, 1000, ROW, 8)).toEqual({ start: 0, end: 18 });
    expect(renderRange(49_500, VIEW, 1000, ROW, 8)).toEqual({ start: 982, end: 1000 });
  });

  it('keeps the DOM small whatever the list length', () => {
    const r = renderRange(50 * 50_000, VIEW, 100_000, ROW, 8);
    expect(r.end - r.start).toBe(26);
    expect(widen({ start: 5, end: 5 }, 8, 100)).toEqual({ start: 0, end: 0 });
  });
});

describe('pages to fetch', () => {
  it('maps rows to pages and offsets', () => {
    expect(pageOf(0, 200)).toBe(0);
    expect(pageOf(199, 200)).toBe(0);
    expect(pageOf(200, 200)).toBe(1);
    expect(pageQuery(3, 200)).toEqual({ offset: 600, limit: 200 });
  });

  it('fetches the page in view and a page of overscan each way', () => {
    // rows 1000..1010 are on page 5; a page either side is 800..1210 → pages 4, 5, 6
    expect(pagesToFetch({ start: 1000, end: 1010 }, 100_000, 200, 200)).toEqual([5, 6, 4]);
  });

  it('asks for every page in view before the overscan pages, nearest first', () => {
    // rows 390..410 straddle pages 1 and 2
    expect(pagesToFetch({ start: 390, end: 410 }, 100_000, 200, 200)).toEqual([1, 2, 3, 0]);
    // a wide overscan reaches two pages each way; the nearer ones come first
    expect(pagesToFetch({ start: 1000, end: 1010 }, 100_000, 200, 400)).toEqual([5, 6, 4, 7, 3]);
  });

  it('does not go past either end of the list', () => {
    expect(pagesToFetch({ start: 0, end: 10 }, 100_000, 200, 200)).toEqual([0, 1]);
    expect(pagesToFetch({ start: 99_990, end: 100_000 }, 100_000, 200, 200)).toEqual([499, 498]);
    expect(pagesToFetch({ start: 0, end: 3 }, 3, 200, 200)).toEqual([0]);
    expect(pagesToFetch({ start: 0, end: 0 }, 0, 200, 200)).toEqual([]);
  });

  it('at 100,000 clients, a jump to the middle or the end needs three pages at most', () => {
    const total = 100_000;
    const mid = visibleRange(contentHeight(total, 48) / 2, 600, total, 48);
    expect(mid).toEqual({ start: 50_000, end: 50_013 });
    expect(pagesToFetch(mid, total)).toEqual([250, 251, 249]);
    const end = visibleRange(contentHeight(total, 48) - 600, 600, total, 48);
    expect(end.end).toBe(total);
    expect(pagesToFetch(end, total)).toEqual([499, 498]);
  });
});

describe('placeholders', () => {
  const pages = new Map<number, string[]>([
    [0, ['a0', 'a1', 'a2', 'a3']],
    [2, ['c8', 'c9']],
  ]);

  it('fills rows from loaded pages and leaves the others as placeholders', () => {
    expect(slots({ start: 2, end: 10 }, pages, 4)).toEqual([
      { index: 2, item: 'a2' },
      { index: 3, item: 'a3' },
      { index: 4, item: null },
      { index: 5, item: null },
      { index: 6, item: null },
      { index: 7, item: null },
      { index: 8, item: 'c8' },
      { index: 9, item: 'c9' },
    ]);
  });

  it('treats a row past the end of a short page as not loaded', () => {
    expect(slots({ start: 9, end: 11 }, pages, 4)).toEqual([
      { index: 9, item: 'c9' },
      { index: 10, item: null },
    ]);
    expect(slots({ start: 0, end: 0 }, pages, 4)).toEqual([]);
  });
});

describe('geometry', () => {
  it('sizes the content by the total and places rows by index', () => {
    expect(contentHeight(100_000, 48)).toBe(4_800_000);
    expect(contentHeight(0, 48)).toBe(0);
    expect(offsetOf(250, 48)).toBe(12_000);
  });

  it('scrolls just enough to reveal a row', () => {
    // in view: unchanged
    expect(scrollToReveal(12, 500, VIEW, ROW)).toBe(500);
    // above: its top meets the viewport's top
    expect(scrollToReveal(5, 500, VIEW, ROW)).toBe(250);
    // below: its bottom meets the viewport's bottom
    expect(scrollToReveal(20, 500, VIEW, ROW)).toBe(550);
    // partly hidden at the bottom
    expect(scrollToReveal(19, 520, VIEW, ROW)).toBe(520);
    expect(scrollToReveal(20, 520, VIEW, ROW)).toBe(550);
    expect(scrollToReveal(0, 0, 0, ROW)).toBe(0);
  });

  it('pages by a viewport less one row of context', () => {
    expect(rowsPerPage(VIEW, ROW)).toBe(9);
    expect(rowsPerPage(40, ROW)).toBe(1);
  });
});

describe('cache eviction', () => {
  it('keeps everything under the limit', () => {
    expect(pagesToEvict([0, 1, 2], [1], 5)).toEqual([]);
  });

  it('drops the pages furthest from the view, never the ones in view', () => {
    const cached = [0, 1, 2, 40, 41, 42, 90, 91];
    expect(pagesToEvict(cached, [41, 42], 5).sort((a, b) => a - b)).toEqual([0, 90, 91]);
    expect(pagesToEvict(cached, [41, 42], 2).sort((a, b) => a - b)).toEqual([0, 1, 2, 40, 90, 91]);
    expect(pagesToEvict([7, 8], [7, 8], 1)).toEqual([]);
  });
});
