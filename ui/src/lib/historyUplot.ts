// Loading uPlot for the outcome charts, on demand and safely.
//
// uPlot builds `new Intl.NumberFormat(navigator.language)` when its module is evaluated. Under
// a POSIX locale (LANG=C or C.UTF-8) WebKitGTK reports `navigator.language` as "C", which Intl
// rejects with a RangeError: a static import would then stop the whole app from starting.
// So uPlot is imported only here, after making sure the language is one Intl accepts, and a
// failure only costs the charts (their text summaries stay).

import type uPlot from 'uplot';

/** The locale used when the system's is not a valid BCP 47 tag. */
export const FALLBACK_LOCALE = 'en';

/** True when `Intl` accepts `tag` as a locale. */
export function usableLocale(tag: string | null | undefined): boolean {
  if (!tag) return false;
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

/**
 * Make `nav.language` a locale `Intl` accepts; changes nothing when it already is one.
 * Returns the language in effect afterwards.
 */
export function ensureUsableLanguage(nav: { language: string }): string {
  if (!usableLocale(nav.language)) {
    Object.defineProperty(nav, 'language', { value: FALLBACK_LOCALE, configurable: true });
  }
  return nav.language;
}

let loading: Promise<typeof uPlot> | null = null;

/** uPlot's constructor, loaded once. A failed load is retried on the next call. */
export function loadUplot(): Promise<typeof uPlot> {
  if (!loading) {
    if (typeof navigator !== 'undefined') ensureUsableLanguage(navigator);
    loading = import('uplot').then(
      (m) => m.default,
      (e: unknown) => {
        loading = null;
        throw e;
      },
    );
  }
  return loading;
}
