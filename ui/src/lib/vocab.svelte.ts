// The core's vocabularies (labels for every clinical term), loaded once at start-up.

import type { Vocabulary } from './bindings/Vocabulary';

export const vocab = $state<{ value: Vocabulary | null }>({ value: null });
