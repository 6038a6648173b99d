// The per-field messages of a form: one message under the field the core (or the form) named,
// the cursor put in that field, and the message cleared as soon as the field is edited.

import { tick } from 'svelte';
import { fieldOf } from './accounts';
import type { AppError } from './api';

export class FieldErrors<F extends string> {
  errors = $state<Partial<Record<F, string>>>({});

  /**
   * `fields`: the form's fields. `idOf`: the id of a field's input. `onEdit`: run on every edit
   * of a field (e.g. to take away a "saved" message).
   */
  constructor(
    private readonly fields: readonly F[],
    private readonly idOf: (field: F) => string,
    private readonly onEdit?: () => void,
  ) {}

  reset() {
    this.errors = {};
  }

  /** Shows `message` under `field` alone, and puts the cursor in that field. */
  async show(field: F, message: string) {
    this.errors = { [field]: message } as Partial<Record<F, string>>;
    await tick();
    document.getElementById(this.idOf(field))?.focus();
  }

  /** Shows the core's error under its field when it names one of the form's; false otherwise. */
  async showAppError(err: AppError, field: F | null = fieldOf(err, this.fields)): Promise<boolean> {
    if (!field) return false;
    await this.show(field, err.message);
    return true;
  }

  /** The `oninput` of a field: its message goes when it is edited. */
  clear = (field: F) => () => {
    this.onEdit?.();
    if (this.errors[field]) this.errors = { ...this.errors, [field]: undefined };
  };
}
