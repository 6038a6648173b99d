// Lookups in the core's vocabularies: the label of a term, and a vocabulary as the options of
// a choice. The one home for them; the labels themselves come from the core.

import type { MarkKind } from './bindings/MarkKind';
import type { Pressure } from './bindings/Pressure';
import type { VocabOption } from './bindings/VocabOption';

/** The label the vocabulary gives `id`, or the id itself when the vocabulary is not loaded. */
export function labelFor<T extends string>(options: readonly VocabOption<T>[] | undefined, id: T): string {
  return options?.find((o) => o.id === id)?.label ?? id.replaceAll('_', ' ');
}

/** A vocabulary as the options of a choice field (none while it is not loaded). */
export function options<T extends string>(vocabulary: readonly VocabOption<T>[] | undefined): { value: T; label: string }[] {
  return (vocabulary ?? []).map((o) => ({ value: o.id, label: o.label }));
}

/** The choices of a pressure select, labelled by the core's vocabulary; `''` is "Not stated" (null). */
export function pressureOptions(
  pressures: readonly VocabOption<Pressure>[] | undefined,
  notStated = 'Not stated',
): { value: '' | Pressure; label: string }[] {
  return [{ value: '', label: notStated }, ...options(pressures)];
}

/** "Trigger point (tension …)": the label of a mark kind, or 'not marked'. */
export function markLabel(kind: MarkKind | undefined, kinds: readonly VocabOption<MarkKind>[] | undefined): string {
  return kind ? labelFor(kinds, kind) : 'not marked';
}
