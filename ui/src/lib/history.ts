// How the "History and outcomes" screen words and arranges what the core sends. Pure
// functions, tested alone: every figure comes from the core; this file only formats it.

import type { ClientOutcomes } from './bindings/ClientOutcomes';
import type { EventKind } from './bindings/EventKind';
import type { Opens } from './bindings/Opens';
import type { Responder } from './bindings/Responder';
import type { TimelineEvent } from './bindings/TimelineEvent';
import { formatDate, formatInstant, plural } from './format';

/** A true minus sign, so "−2.5" reads as a number and not a hyphenated word. */
export const MINUS = '\u2212';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A number as shown: whole numbers bare, anything else with `decimals` places. */
export function formatNumber(n: number, decimals = 1): string {
  const text = Number.isInteger(n) ? String(Math.abs(n)) : Math.abs(n).toFixed(decimals);
  return n < 0 && Number(text) !== 0 ? `${MINUS}${text}` : text;
}

/** "+3.0", "−2.5", "0.0": always `decimals` places and an explicit sign (none for zero). */
export function formatSigned(n: number, decimals = 1): string {
  const text = Math.abs(n).toFixed(decimals);
  if (Number(text) === 0) return text;
  return `${n < 0 ? MINUS : '+'}${text}`;
}

// ---------------------------------------------------------------------------------------
// Timeline

/** When an event happened: a calendar date for intakes and red flags, else date and time. */
export function eventWhen(e: Pick<TimelineEvent, 'at'>): string {
  return DATE_ONLY.test(e.at) ? formatDate(e.at) : formatInstant(e.at);
}

const KIND_LABELS: Record<EventKind, string> = {
  intake: 'Intake',
  red_flags: 'Red flags',
  acknowledgement: 'Acknowledged',
  session: 'Session',
  amendment: 'Amendment',
  midas: 'MIDAS',
  care_plan: 'Care plan',
};

/** The badge text for an event's kind; a session still needing a signature is a draft. */
export function kindLabel(e: Pick<TimelineEvent, 'kind' | 'needs_attention'>): string {
  if (e.kind === 'session' && e.needs_attention) return 'Draft';
  return KIND_LABELS[e.kind] ?? e.kind;
}

export type EventTone = 'alarm' | 'warning' | 'plain';

/**
 * How loudly a row is drawn: open red flags are an alarm, anything else still needing
 * someone (an unsigned note) a warning.
 */
export function eventTone(e: Pick<TimelineEvent, 'kind' | 'needs_attention'>): EventTone {
  if (!e.needs_attention) return 'plain';
  return e.kind === 'red_flags' ? 'alarm' : 'warning';
}

const OPEN_LABELS: Record<Opens, string> = {
  intake: 'Open intake',
  session: 'Open note',
  midas: 'Show MIDAS trend',
  care_plan: 'Show care plan',
};

/** The text of the row's button. */
export function openLabel(e: Pick<TimelineEvent, 'opens'>): string {
  return OPEN_LABELS[e.opens] ?? 'Open';
}

/**
 * Where on the history screen an entry that opens no record of its own is shown: a MIDAS
 * opens the MIDAS trend, the care plan its card; `null` for records opened elsewhere.
 */
export function sectionFor(e: Pick<TimelineEvent, 'opens'>): string | null {
  if (e.opens === 'midas') return 'history-midas';
  if (e.opens === 'care_plan') return 'history-care-plan';
  return null;
}

// ---------------------------------------------------------------------------------------
// Outcome figures

const RESPONDER_LABELS: Record<Responder, string> = {
  responder: 'Responder',
  not_yet: 'Not yet a responder',
  too_little_data: 'Too little data',
  not_measurable: 'Not measurable',
};

export function responderLabel(r: Responder): string {
  return RESPONDER_LABELS[r] ?? r;
}

/**
 * The mean change in pain within sessions, in the core's one wording (`pain_change_text`:
 * "2.5 points less pain after sessions (mean)"), and how many sessions it is over:
 * { value, count: "n = 4" }; '—' when nothing is measured. For a tile, the wording is also
 * split where it starts with its figure: `figure` "2.5" and `words` "points less pain after
 * sessions (mean)" (the core's words, only laid out on two lines); a wording without a
 * figure ("no change in pain after sessions (mean)") is all `words`.
 */
export function meanPainChange(o: Pick<ClientOutcomes, 'pain_change_text' | 'session_pain'>): {
  value: string;
  figure: string | null;
  words: string;
  count: string;
} {
  const value = o.pain_change_text ?? '—';
  const split = /^([\d.,]+)\s+(.+)$/s.exec(value);
  return {
    value,
    figure: split ? split[1] : null,
    words: split ? split[2] : value,
    count: `n = ${o.session_pain.length}`,
  };
}

/** The same as one line: "2.5 points less pain after sessions (mean) (n = 4)", or '—'. */
export function meanPainChangeText(o: Pick<ClientOutcomes, 'pain_change_text' | 'session_pain'>): string {
  const m = meanPainChange(o);
  return o.pain_change_text === null ? m.value : `${m.value} (${m.count})`;
}

/** "−58.3%" from the core's change in percent, '—' when it cannot be measured. */
export function changePercentText(pct: number | null): string {
  if (pct === null) return '—';
  return `${pct > 0 ? '+' : ''}${formatNumber(pct)}%`;
}

/**
 * "12 → 5 days / 30" from the baseline and the latest intake; '' until there are two
 * intakes (with one, the baseline is also the latest).
 */
export function headacheDaysChange(
  o: Pick<ClientOutcomes, 'baseline_headache_days' | 'latest_headache_days' | 'headache_days'>,
): string {
  if (o.headache_days.length < 2) return '';
  if (o.baseline_headache_days === null || o.latest_headache_days === null) return '';
  return `${o.baseline_headache_days} → ${o.latest_headache_days} days / 30`;
}

export function weeksText(weeks: number | null): string {
  return weeks === null ? '—' : String(weeks);
}

// ---------------------------------------------------------------------------------------
// Chart summaries: the accessible (and printable) version of each chart.

/**
 * "Pain within sessions: 3.0 points less pain after sessions (mean), over 4 sessions." The
 * change is the core's wording (`pain_change_text`), as on the dashboard and the PDF.
 */
export function painSummary(o: Pick<ClientOutcomes, 'pain_change_text' | 'session_pain'>): string {
  const n = o.session_pain.length;
  if (n === 0 || o.pain_change_text === null) {
    return 'Pain within sessions: not measured yet (0 sessions).';
  }
  return `Pain within sessions: ${o.pain_change_text}, over ${plural(n, 'session', 'sessions')}.`;
}

/** What stands in for the pain chart when there are fewer than two sessions to draw. */
export function painChartEmpty(sessions: number): string {
  return sessions === 0
    ? 'No signed session with pain before and after yet.'
    : 'Only one signed session with pain before and after so far: sign a second to see a trend.';
}
