// The client list's search, filter and last answer outlive the list view, so coming back
// from a client shows the same list at once (and refreshes it).

import type { ClientPage } from './bindings/ClientPage';

export interface ListAnswer {
  page: ClientPage;
  /** The search text this answer is for (the box may already hold newer text). */
  search: string;
  includeArchived: boolean;
  /** No active client, but archived ones exist (only asked when the list is empty). */
  onlyArchived: boolean;
}

export const listState = $state<{ search: string; showArchived: boolean; answer: ListAnswer | null }>({
  search: '',
  showArchived: false,
  answer: null,
});
