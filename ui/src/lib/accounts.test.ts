import { describe, expect, it } from 'vitest';
import { confirmError, parseMinutes, refuseMismatch, roleLabel, userStatus } from './accounts';
import { FormErrors } from './formErrors.svelte';

const user = {
  username: 'jo',
  display_name: 'Jo Park',
  credentials: '',
  name_with_credentials: 'Jo Park',
  role: 'therapist' as const,
  created_at: '2026-01-02T10:00:00Z',
};

describe('roles and users', () => {
  it('labels a role as the core does', () => {
    // `Vocabulary.roles` as the core sends it (src/domain/vocab.rs pins the same list).
    const roles = [
      { id: 'therapist', label: 'Therapist' },
      { id: 'manager', label: 'Clinic manager' },
      { id: 'administrator', label: 'Administrator' },
    ] as const;
    expect(roleLabel('manager', roles)).toBe('Clinic manager');
    expect(roleLabel('administrator', roles)).toBe('Administrator');
    // Before the vocabulary is loaded: the id, never a label typed here.
    expect(roleLabel('manager', null)).toBe('manager');
  });

  it('says whether an account is active', () => {
    expect(userStatus({ ...user, disabled_at: null })).toBe('Active');
    expect(userStatus({ ...user, disabled_at: '2026-02-01T00:00:00Z' })).toBe('Disabled');
  });
});

describe('form helpers', () => {
  it('compares a password with its confirmation', () => {
    expect(confirmError('a long password', 'a long password', 'confirm')).toBeNull();
    expect(confirmError('a long password', '', 'confirm')?.message).toMatch(/again/);
    const wrong = confirmError('a long password', 'a long pasword', 'confirm');
    expect(wrong?.message).toMatch(/not the same/);
    // Under the "again" field, as the core's own errors go under theirs.
    expect(wrong).toMatchObject({ code: 'validation', field: 'confirm' });
    expect(confirmError('', '', 'confirm')).toBeNull();
  });

  it('reads whole minutes only', () => {
    expect(parseMinutes(' 15 ')).toBe(15);
    expect(parseMinutes('0')).toBe(0);
    expect(parseMinutes('')).toBeNull();
    expect(parseMinutes('2.5')).toBeNull();
    expect(parseMinutes('-3')).toBeNull();
    expect(parseMinutes('1e3')).toBeNull();
  });
});

describe('refuseMismatch', () => {
  it('puts the mismatch under the "again" field and says nothing may be sent', async () => {
    const errors = new FormErrors();
    errors.register('password_confirm');
    expect(await refuseMismatch(errors, 'a long password', 'a long pasword', 'password_confirm')).toBe(true);
    expect(errors.message('password_confirm')).toMatch(/not the same/);
    errors.reset();
    expect(await refuseMismatch(errors, 'a long password', 'a long password', 'password_confirm')).toBe(false);
    expect(errors.any).toBe(false);
  });
});
