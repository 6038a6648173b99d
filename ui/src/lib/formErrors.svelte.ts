// The one place a form's error messages live, keyed by the core's field path (`Error.field`:
// `first_name`, `pain_sites.2.side`, `techniques.0.minutes`, `from`). A form makes one store,
// passes every AppError to it, and each field component reads its own message by its path.
// An error whose field is not on the form is the form's top message.

import { getContext, setContext, tick } from 'svelte';
import type { AppError } from './api';

/**
 * The element-id form of a path: the core's dots become dashes (`techniques-0-minutes`), after
 * the form's id prefix when it has one (`setup-password`: two forms on one screen, or a form
 * whose ids tests have long known).
 */
export const fieldKey = (path: string, prefix = ''): string => prefix + path.trim().replaceAll('.', '-');
export const fieldId = (path: string, prefix = ''): string => `field-${fieldKey(path, prefix)}`;
export const errorId = (path: string, prefix = ''): string => `error-${fieldKey(path, prefix)}`;
export const helpId = (path: string, prefix = ''): string => `help-${fieldKey(path, prefix)}`;
export const labelId = (path: string, prefix = ''): string => `label-${fieldKey(path, prefix)}`;

/** The source of errors a form has when it has only one (most forms). */
const FORM = 'form';

export class FormErrors {
  /** Messages by source, then by path. A form with two sources (saving, signing) keeps both. */
  #messages = $state<Record<string, Record<string, string>>>({});
  #tops = $state<Record<string, AppError | null>>({});
  /** The paths of the fields on the form, with how many components show each. */
  #fields = new Map<string, number>();
  #onEdit?: () => void;
  /** Put before every element id of the form's fields (`setup-`: `#field-setup-password`). */
  readonly prefix: string;

  /**
   * `fields`: paths known to be on the form before any field component registers (a field
   * component registers its own path as it mounts). `onEdit`: run on every edit of a field.
   * `prefix`: see `prefix`; the paths themselves stay the core's.
   */
  constructor(opts: { fields?: Iterable<string>; onEdit?: () => void; prefix?: string } = {}) {
    for (const f of opts.fields ?? []) this.#fields.set(f, 1);
    this.#onEdit = opts.onEdit;
    this.prefix = opts.prefix ?? '';
  }

  /** A field component shows `path`; the returned function takes it away again. */
  register(path: string): () => void {
    this.#fields.set(path, (this.#fields.get(path) ?? 0) + 1);
    return () => {
      const n = (this.#fields.get(path) ?? 1) - 1;
      if (n <= 0) this.#fields.delete(path);
      else this.#fields.set(path, n);
    };
  }

  /**
   * The field an error's path is shown under: the path itself, or the nearest enclosing path
   * on the form (`pain_sites.2.side` under `pain_sites`); null when the form has neither.
   */
  pathFor(field: string | null | undefined): string | null {
    if (!field) return null;
    const parts = field.trim().split('.');
    for (let n = parts.length; n > 0; n--) {
      const p = parts.slice(0, n).join('.');
      if (this.#fields.has(p)) return p;
    }
    return null;
  }

  /**
   * Shows `err` (null: nothing) in place of what `source` showed before: under its field when
   * the form has it, otherwise as the top message. Returns the path it went under, or null.
   */
  set(err: AppError | null, source: string = FORM): string | null {
    const path = err ? this.pathFor(err.field) : null;
    this.#messages = { ...this.#messages, [source]: err && path ? { [path]: err.message } : {} };
    this.#tops = { ...this.#tops, [source]: err && !path ? err : null };
    return path;
  }

  /** `set`, then the cursor goes to the field (scrolled into view) when there is one. */
  async show(err: AppError, source: string = FORM): Promise<string | null> {
    const path = this.set(err, source);
    if (path) await focusField(path, this.prefix);
    return path;
  }

  /** The message under `path`, if any (the first source that has one). */
  message(path: string): string | undefined {
    for (const m of Object.values(this.#messages)) if (m[path]) return m[path];
    return undefined;
  }

  /** The error that belongs to no field on the form (the first source that has one). */
  get top(): AppError | null {
    for (const t of Object.values(this.#tops)) if (t) return t;
    return null;
  }

  /** Any message at all, under a field or on top. */
  get any(): boolean {
    return this.top !== null || Object.values(this.#messages).some((m) => Object.keys(m).length > 0);
  }

  /** A field was edited: its message (and its enclosing fields') goes, from every source. */
  edited(path: string): void {
    this.#onEdit?.();
    const parts = path.split('.');
    const gone = new Set(parts.map((_, i) => parts.slice(0, i + 1).join('.')));
    this.clearWhere((p) => gone.has(p));
  }

  /** Takes away every message under a path `test` accepts (e.g. rows that moved). */
  clearWhere(test: (path: string) => boolean): void {
    let changed = false;
    const next: Record<string, Record<string, string>> = {};
    for (const [source, m] of Object.entries(this.#messages)) {
      next[source] = Object.fromEntries(Object.entries(m).filter(([p]) => !test(p)));
      if (Object.keys(next[source]).length !== Object.keys(m).length) changed = true;
    }
    if (changed) this.#messages = next;
  }

  /** Clears `source` (or everything). */
  reset(source?: string): void {
    if (source === undefined) {
      this.#messages = {};
      this.#tops = {};
    } else {
      this.#messages = { ...this.#messages, [source]: {} };
      this.#tops = { ...this.#tops, [source]: null };
    }
  }
}

/** Scrolls a field into view and puts the cursor in it (or in its first control). */
export async function focusField(path: string, prefix = ''): Promise<void> {
  await tick();
  if (typeof document === 'undefined') return;
  const el = document.getElementById(fieldId(path, prefix));
  const control = el?.matches('input, select, textarea, button')
    ? el
    : el?.querySelector<HTMLElement>('input, select, textarea, button');
  (control ?? el ?? document.getElementById(errorId(path, prefix)))?.scrollIntoView({ block: 'center' });
  control?.focus({ preventScroll: true });
}

const CONTEXT = Symbol('form-errors');

/** Makes `errors` the store the field components inside this component read. */
export function provideFormErrors(errors: FormErrors): FormErrors {
  setContext(CONTEXT, errors);
  return errors;
}

/** The store of the form around a field component, if there is one. */
export function contextFormErrors(): FormErrors | undefined {
  return getContext<FormErrors | undefined>(CONTEXT);
}
