import { describe, expect, it } from 'vitest';
import type { AppError } from './api';
import { errorId, fieldId, fieldKey, FormErrors, helpId } from './formErrors.svelte';

const bad = (field: string | undefined, message = `${field} is wrong`): AppError => ({ code: 'validation', field, message });

describe('FormErrors', () => {
  it('puts an error under the field the core names, by its path', () => {
    const e = new FormErrors({ fields: ['first_name', 'email'] });
    expect(e.set(bad('email'))).toBe('email');
    expect(e.message('email')).toBe('email is wrong');
    expect(e.message('first_name')).toBeUndefined();
    expect(e.top).toBeNull();
  });

  it('shows an error whose field is not on the form as the top message', () => {
    const e = new FormErrors({ fields: ['first_name'] });
    const err = bad('referral_note');
    expect(e.set(err)).toBeNull();
    expect(e.top).toEqual(err);
    expect(e.message('referral_note')).toBeUndefined();
    const plain: AppError = { code: 'conflict', message: 'Changed elsewhere' };
    e.set(plain);
    expect(e.top).toEqual(plain);
  });

  it('puts a nested path under the nearest field the form has', () => {
    const e = new FormErrors({ fields: ['pain_sites', 'techniques.0.minutes'] });
    expect(e.set(bad('pain_sites.2.side', 'Side?'))).toBe('pain_sites');
    expect(e.message('pain_sites')).toBe('Side?');
    expect(e.set(bad('techniques.0.minutes'))).toBe('techniques.0.minutes');
    expect(e.set(bad('techniques.1.minutes'))).toBeNull();
  });

  it('knows the fields its components register, and forgets them when they go', () => {
    const e = new FormErrors();
    const off = e.register('from');
    expect(e.set(bad('from'))).toBe('from');
    off();
    expect(e.set(bad('from'))).toBeNull();
    expect(e.top?.field).toBe('from');
  });

  it('replaces what a source showed, and keeps the other sources', () => {
    const e = new FormErrors({ fields: ['subjective', 'pain_after'] });
    e.set(bad('subjective', 'Needed to sign'), 'sign');
    e.set(bad('pain_after', 'At most 10'), 'save');
    expect(e.message('subjective')).toBe('Needed to sign');
    expect(e.message('pain_after')).toBe('At most 10');
    e.set(null, 'save');
    expect(e.message('pain_after')).toBeUndefined();
    expect(e.message('subjective')).toBe('Needed to sign');
    expect(e.any).toBe(true);
    e.reset();
    expect(e.any).toBe(false);
  });

  it('takes a field message away when the field is edited, and its group message too', () => {
    let edits = 0;
    const e = new FormErrors({ fields: ['techniques.0.regions', 'techniques.0'], onEdit: () => edits++ });
    e.set(bad('techniques.0.regions'));
    e.edited('techniques.0.regions');
    expect(e.message('techniques.0.regions')).toBeUndefined();
    e.set(bad('techniques.0'));
    e.edited('techniques.0.regions');
    expect(e.message('techniques.0')).toBeUndefined();
    expect(edits).toBe(2);
  });

  it('clears the messages of rows that moved', () => {
    const e = new FormErrors({ fields: ['techniques.1.minutes', 'plan'] });
    e.set(bad('techniques.1.minutes'), 'save');
    e.set(bad('plan'), 'sign');
    e.clearWhere((p) => p.startsWith('techniques.'));
    expect(e.message('techniques.1.minutes')).toBeUndefined();
    expect(e.message('plan')).toBe('plan is wrong');
  });

  it('names the elements of a path with dashes', () => {
    expect(fieldKey('techniques.0.minutes')).toBe('techniques-0-minutes');
    expect(fieldId('first_name')).toBe('field-first_name');
    expect(errorId('techniques.0.minutes')).toBe('error-techniques-0-minutes');
    expect(helpId('pain_before')).toBe('help-pain_before');
  });
});

describe('a form with an id prefix', () => {
  it('keys its messages by the core path and puts the prefix in the element ids only', () => {
    const e = new FormErrors({ prefix: 'new-' });
    e.register('username');
    e.register('password');
    expect(e.set(bad('password'))).toBe('password');
    expect(e.message('password')).toBe('password is wrong');
    expect(e.set(bad('role'))).toBeNull();
    expect(e.top?.field).toBe('role');
    expect(fieldId('password', e.prefix)).toBe('field-new-password');
    expect(errorId('techniques.0.minutes', 'edit-')).toBe('error-edit-techniques-0-minutes');
    expect(helpId('username', e.prefix)).toBe('help-new-username');
  });
});
