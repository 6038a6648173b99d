import { describe, expect, it } from 'vitest';
import { FALLBACK_LOCALE, ensureUsableLanguage, loadUplot, usableLocale } from './historyUplot';

describe('the locale uPlot is loaded under', () => {
  it('tells valid locale tags from POSIX ones', () => {
    expect(usableLocale('en-GB')).toBe(true);
    expect(usableLocale('fr-CA')).toBe(true);
    expect(usableLocale('C')).toBe(false);
    expect(usableLocale('C.UTF-8')).toBe(false);
    expect(usableLocale('')).toBe(false);
    expect(usableLocale(undefined)).toBe(false);
  });

  it('replaces only an unusable language (WebKitGTK reports "C" under LANG=C)', () => {
    const posix = { language: 'C' };
    expect(ensureUsableLanguage(posix)).toBe(FALLBACK_LOCALE);
    expect(posix.language).toBe(FALLBACK_LOCALE);
    // What uPlot does when its module loads must now work.
    expect(() => new Intl.NumberFormat(posix.language)).not.toThrow();

    const fine = { language: 'de-DE' };
    expect(ensureUsableLanguage(fine)).toBe('de-DE');
  });

  it('loads the chart library once', async () => {
    const a = loadUplot();
    const b = loadUplot();
    expect(a).toBe(b);
    const UPlot = await a;
    expect(typeof UPlot).toBe('function');
    expect(typeof UPlot.paths).toBe('object');
  });
});
