import { describe, expect, it } from 'vitest';
import { ROLES, confirmError, fieldOf, parseMinutes, roleLabel, userStatus } from './accounts';

const user = { username: 'jo', display_name: 'Jo Park', role: 'therapist' as const, created_at: '2026-01-02T10:00:00Z' };

describe('roles and users', () => {
  it('labels every role, in the order the form offers them', () => {
    expect(ROLES).toEqual([
      { value: 'therapist', label: 'Therapist' },
      { value: 'manager', label: 'Clinic manager' },
      { value: 'administrator', label: 'Administrator' },
    ]);
    expect(roleLabel('manager')).toBe('Clinic manager');
  });

  it('says whether an account is active', () => {
    expect(userStatus({ ...user, disabled_at: null })).toBe('Active');
    expect(userStatus({ ...user, disabled_at: '2026-02-01T00:00:00Z' })).toBe('Disabled');
  });
});

describe('form helpers', () => {
  it('compares a password with its confirmation', () => {
    expect(confirmError('a long password', 'a long password')).toBeNull();
    expect(confirmError('a long password', '')).toMatch(/again/);
    expect(confirmError('a long password', 'a long pasword')).toMatch(/not the same/);
    expect(confirmError('', '')).toBeNull();
  });

  it('puts an error under its field only when the form has that field', () => {
    const fields = ['username', 'password'] as const;
    expect(fieldOf({ code: 'validation', message: 'm', field: 'password' }, fields)).toBe('password');
    expect(fieldOf({ code: 'validation', message: 'm', field: 'role' }, fields)).toBeNull();
    expect(fieldOf({ code: 'forbidden', message: 'm' }, fields)).toBeNull();
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
