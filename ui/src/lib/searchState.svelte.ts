// The search box, its filters and the last answer outlive the search view, so "Back" from a
// note or client opened from a result shows the same results at once (and refreshes them).

import type { SearchResults } from './bindings/SearchResults';

export interface SearchAnswer {
  results: SearchResults;
  /** The text this answer is for (the box may already hold newer text). */
  text: string;
}

export const searchState = $state<{
  text: string;
  includeArchived: boolean;
  from: string;
  to: string;
  /** Null while the box is empty. */
  answer: SearchAnswer | null;
}>({
  text: '',
  includeArchived: false,
  from: '',
  to: '',
  answer: null,
});
