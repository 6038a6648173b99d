// How search results are worded and where a hit leads. The core finds, ranks and cuts the
// snippets; these only phrase its answer.

import type { Hit } from './bindings/Hit';
import type { HitKind } from './bindings/HitKind';
import type { Ordering } from './bindings/Ordering';
import type { SearchResults } from './bindings/SearchResults';
import { formatDate, formatInstant, plural } from './format';
import { vocab } from './vocab.svelte';

/**
 * The most hits asked for at once: the core's page (`Vocabulary.defaults.search_limit`); 0,
 * before the vocabulary is loaded, asks the core for that same default.
 */
export function searchLimit(): number {
  return vocab.value?.defaults.search_limit ?? 0;
}

/** True when there is nothing to search for yet. */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}

// A `Record` over the union makes the compiler fail when a kind is added.
const KIND_LABELS: Record<HitKind, string> = {
  client: 'Client record',
  session: 'Session note',
  amendment: 'Amendment',
  intake: 'Intake',
};

export function hitKindLabel(kind: HitKind): string {
  return KIND_LABELS[kind];
}

/** A hit's date: intakes carry a calendar day, notes and records an instant. */
export function hitDate(at: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(at) ? formatDate(at) : formatInstant(at);
}

/** What opening a hit shows. An amendment opens its session (its `record_id` is the session). */
export type HitTarget =
  | { screen: 'client'; clientId: string }
  | { screen: 'session'; sessionId: string }
  | { screen: 'intake'; clientId: string; intakeId: string };

export function hitTarget(clientId: string, hit: Pick<Hit, 'kind' | 'record_id'>): HitTarget {
  switch (hit.kind) {
    case 'client':
      return { screen: 'client', clientId: hit.record_id };
    case 'session':
    case 'amendment':
      return { screen: 'session', sessionId: hit.record_id };
    case 'intake':
      return { screen: 'intake', clientId, intakeId: hit.record_id };
  }
}

/** How many hits an answer holds (the core may have found more). */
export function shownCount(results: SearchResults): number {
  return results.groups.reduce((n, g) => n + g.hits.length, 0);
}

const ORDER_TEXT: Record<Ordering, string> = {
  relevance: 'by relevance',
  newest: 'newest first',
};

/**
 * "23 matches, newest first"; when the core found more than it sent, says so:
 * "230 matches, newest first — showing 50; add a word or a period to narrow the search".
 */
export function summaryText(shown: number, total: number, ordering: Ordering, more = false): string {
  const count = more ? `More than ${total} matches` : plural(total, 'match', 'matches');
  const base = `${count}, ${ORDER_TEXT[ordering]}`;
  if (shown >= total && !more) return base;
  return `${base} — showing ${shown}; add a word or a period to narrow the search`;
}

/** The search text as it is quoted back ("No client or note matches “trap”."). */
export function quotedQuery(text: string): string {
  return `“${text.trim()}”`;
}

/** What to try when nothing matched, leaving out what is already done. */
export function emptySuggestion(includeArchived: boolean, periodSet: boolean): string {
  const tries = ['Try a shorter or different word'];
  if (!includeArchived) tries.push('tick “Include archived clients”');
  if (periodSet) tries.push('search any date');
  return `${tries.join(', or ')}.`;
}
