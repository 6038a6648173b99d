// The client list's search, filter, loaded pages and scroll position outlive the list view,
// so coming back from a client shows the same place in the list at once (and refreshes it).

import type { ClientSummary } from './bindings/ClientSummary';

export interface ListAnswer {
  /** Which query this is: a page answer for another generation is stale and dropped. */
  gen: number;
  /** The search text this answer is for (the box may already hold newer text). */
  search: string;
  includeArchived: boolean;
  /** No active client, but archived ones exist (only asked when the list is empty). */
  onlyArchived: boolean;
  /** How many clients match in all: the list is this many rows tall. */
  total: number;
  /** The pages loaded so far, by page index (see `PAGE_SIZE` in windowing.ts). */
  pages: ReadonlyMap<number, readonly ClientSummary[]>;
}

class ListState {
  search = $state('');
  showArchived = $state(false);
  /** Replaced whole, never changed in place (it can hold thousands of rows). */
  answer = $state.raw<ListAnswer | null>(null);
  /** Where the list was scrolled to; only meaningful while `answer` is kept. */
  scrollTop = 0;
}

export const listState = new ListState();
