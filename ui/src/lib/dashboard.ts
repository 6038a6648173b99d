// How the clinic dashboard words its figures. Every number comes from the core; these only
// phrase them (with the counts beside them) so nobody over-reads a handful of cases.

import type { RedFlag } from './bindings/RedFlag';
import type { TechniqueOutcome } from './bindings/TechniqueOutcome';
import type { VocabOption } from './bindings/VocabOption';
import { labelFor } from './vocabulary';
import { formatDate, groupThousands, plural } from './format';

/** "1 Mar 2025 – 30 Mar 2025": both ends, always. */
export function periodRange(from: string, to: string): string {
  return `${formatDate(from)} – ${formatDate(to)}`;
}

/** "Sessions per therapist, 1 Mar 2025 – 30 Mar 2025". */
export function periodCaption(from: string, to: string): string {
  return `Sessions per therapist, ${periodRange(from, to)}`;
}

/** "1 Mar 2025 – 30 Mar 2025", or one date when the period is a single day. */
export function periodText(from: string, to: string): string {
  return from === to ? formatDate(from) : `${formatDate(from)} – ${formatDate(to)}`;
}

export type Tone = 'normal' | 'warning' | 'alarm';

/** Tiles that ask for action stand out when there is something to do. */
export function actionTone(count: number, tone: Exclude<Tone, 'normal'>): Tone {
  return count > 0 ? tone : 'normal';
}

/** "open 30 hours", and the days too once it is two days or more ("open 74 hours (3 days)"). */
export function hoursOpenText(hours: number): string {
  if (hours < 48) return `open ${plural(hours, 'hour', 'hours')}`;
  // Past two days, days say it better; the hours stay beside them.
  return `open ${groupThousands(Math.floor(hours / 24))} days (${groupThousands(hours)} hours)`;
}

/** The date of the latest intake, or "never" when there was none. */
export function lastIntakeText(day: string | null): string {
  return day ? formatDate(day) : 'never';
}

/** The red flags' labels, in the core's vocabulary when it is loaded. */
export function flagLabels(flags: RedFlag[], options: VocabOption<RedFlag>[] | undefined): string[] {
  return flags.map((f) => labelFor(options, f));
}

/** A number with at most one decimal, and no ".0" ("2.5", "3"). */
export function oneDecimal(n: number): string {
  const r = Math.round(n * 10) / 10;
  return (Object.is(r, -0) ? 0 : r).toFixed(Number.isInteger(r) ? 0 : 1);
}

export interface Figure {
  /** The figure in words. */
  text: string;
  /** How many it rests on, e.g. "(n = 4 sessions)". */
  count: string;
}

/**
 * The mean pain change in the core's words ("2.5 points less pain after sessions (mean)") with
 * "(n = 4 sessions)", the number of sessions that recorded pain before and after.
 */
export function painChange(text: string | null, sessionsWithPain: number): Figure {
  // The wording is the core's (`pain_change_text`), the same as on the history screen and the PDF.
  if (text === null || sessionsWithPain === 0) return { text: '—', count: `(n = ${sessionsWithPain})` };
  return { text, count: `(n = ${plural(sessionsWithPain, 'session', 'sessions')})` };
}

/** "2 of 3 clients (67%)", or "no measurable clients yet". */
export function respondersText(o: Pick<TechniqueOutcome, 'responders' | 'clients_measurable' | 'responder_share_percent'>): string {
  if (o.clients_measurable === 0) return 'no measurable clients yet';
  const share = o.responder_share_percent === null ? '' : ` (${Math.round(o.responder_share_percent)}%)`;
  return `${o.responders} of ${plural(o.clients_measurable, 'client', 'clients')}${share}`;
}
