import { describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const api = await import('./api');
const { toAppError, isAppError } = api;

describe('toAppError', () => {
  it('passes the core’s own errors through, keeping the field', () => {
    expect(toAppError({ code: 'validation', message: 'First name is required.', field: 'first_name' })).toEqual({
      code: 'validation',
      message: 'First name is required.',
      field: 'first_name',
    });
  });

  it('keeps errors without a field free of one', () => {
    const e = toAppError({ code: 'conflict', message: 'Changed since you opened it.' });
    expect(e).toEqual({ code: 'conflict', message: 'Changed since you opened it.' });
    expect('field' in e).toBe(false);
  });

  it('drops a null or empty field', () => {
    expect(toAppError({ code: 'disk_full', message: 'Disk full.', field: null })).toEqual({
      code: 'disk_full',
      message: 'Disk full.',
    });
    expect(toAppError({ code: 'busy', message: 'Busy.', field: '' })).toEqual({ code: 'busy', message: 'Busy.' });
  });

  it('accepts every code of the closed union', () => {
    for (const code of [
      'validation',
      'not_found',
      'conflict',
      'database_too_new',
      'upgrade_failed',
      'not_open',
      'disk_full',
      'busy',
      'storage',
      'internal',
    ]) {
      expect(toAppError({ code, message: 'm' }).code).toBe(code);
    }
  });

  it('turns a string from Tauri’s argument decoding into an internal error that keeps the text', () => {
    const e = toAppError('invalid args `query` for command `list_clients`: missing field `limit`');
    expect(e.code).toBe('internal');
    expect(e.message).toContain('missing field `limit`');
    expect(e.field).toBeUndefined();
  });

  it('turns a JS Error into an internal error', () => {
    const e = toAppError(new TypeError('window.__TAURI_INTERNALS__ is undefined'));
    expect(e.code).toBe('internal');
    expect(e.message).toContain('__TAURI_INTERNALS__');
  });

  it('treats an unknown code as internal, keeping the message', () => {
    const e = toAppError({ code: 'exploded', message: 'boom' });
    expect(e.code).toBe('internal');
    expect(e.message).toContain('boom');
  });

  it('handles junk with a message that still tells what to do', () => {
    for (const junk of [undefined, null, 42, {}, [], '', { code: 'validation' }]) {
      const e = toAppError(junk);
      expect(e.code).toBe('internal');
      expect(e.message).toMatch(/Try again/);
    }
  });

  it('recognises only well-formed core errors', () => {
    expect(isAppError({ code: 'busy', message: 'x' })).toBe(true);
    expect(isAppError({ code: 'busy', message: 3 })).toBe(false);
    expect(isAppError({ code: 'busy', message: 'x', field: 5 })).toBe(false);
    expect(isAppError('busy')).toBe(false);
  });
});

describe('commands', () => {


  it('send camelCase argument keys with the command name', async () => {
    invoke.mockImplementation(async () => ({ items: [], total: 0 }));
    const query = { search: 'ann', include_archived: false, limit: 100, offset: 0 };
    await api.listClients(query);
    expect(invoke).toHaveBeenLastCalledWith('list_clients', { query });

    invoke.mockImplementation(async () => ({}));
    await api.getClient('id-1');
    expect(invoke).toHaveBeenLastCalledWith('get_client', { id: 'id-1' });
    await api.updateClient('id-1', 3, {} as never);
    expect(invoke).toHaveBeenLastCalledWith('update_client', { id: 'id-1', version: 3, fields: {} });
    await api.createClient({} as never);
    expect(invoke).toHaveBeenLastCalledWith('create_client', { fields: {} });
    await api.archiveClient('id-1');
    expect(invoke).toHaveBeenLastCalledWith('archive_client', { id: 'id-1' });
    await api.restoreClient('id-1');
    expect(invoke).toHaveBeenLastCalledWith('restore_client', { id: 'id-1' });
    await api.clientAudit('id-1');
    expect(invoke).toHaveBeenLastCalledWith('client_audit', { id: 'id-1' });
    await api.appStatus();
    expect(invoke).toHaveBeenLastCalledWith('app_status', undefined);
    await api.vocabulary();
    expect(invoke).toHaveBeenLastCalledWith('vocabulary', undefined);
  });

  it('name snake_case Rust arguments in camelCase', async () => {
    invoke.mockImplementation(async () => ({}));
    await api.listIntakes('c1');
    expect(invoke).toHaveBeenLastCalledWith('list_intakes', { clientId: 'c1' });
    await api.acknowledgeRedFlags('i1', 'Referred to GP');
    expect(invoke).toHaveBeenLastCalledWith('acknowledge_red_flags', { intakeId: 'i1', referralNote: 'Referred to GP' });
    await api.listTechniques(true);
    expect(invoke).toHaveBeenLastCalledWith('list_techniques', { includeRetired: true });
    const corrections = { pain_before: null, pain_after: 4, duration_minutes: null };
    await api.amendSession('s1', 'typo', 'text', corrections);
    expect(invoke).toHaveBeenLastCalledWith('amend_session', { id: 's1', reason: 'typo', body: 'text', corrections });
  });

  it('reject with an AppError whatever was thrown', async () => {
    invoke.mockImplementation(async () => {
      throw { code: 'not_found', message: 'That client no longer exists.' };
    });
    await expect(api.getClient('x')).rejects.toEqual({ code: 'not_found', message: 'That client no longer exists.' });

    invoke.mockImplementation(async () => {
      throw 'invalid args';
    });
    await expect(api.getClient('x')).rejects.toMatchObject({ code: 'internal' });
  });
});

const { auth, signedIn, signedOut } = await import('./auth.svelte');
type AppStatus = import('./bindings/AppStatus').AppStatus;

describe('a locked core', () => {
  const status = (username: string | null): AppStatus => ({
      phase: username ? 'ready' : 'login',
      ready: !!username,
      data_dir: '/d',
      database_file: '/d/stillpoint.db',
      error: null,
      version: '1',
      user: username
        ? {
            username,
            display_name: username,
            credentials: '',
            name_with_credentials: username,
            role: 'therapist',
            created_at: '2026-01-01T00:00:00Z',
            disabled_at: null,
          }
        : null,
      role_label: username ? 'Therapist' : null,
      permissions: username ? ['chart'] : [],
      sections: username ? ['clients', 'search', 'techniques'] : [],
      last_username: username,
      login_reason: null,
      has_unencrypted_data: false,
      clinic: null,
    });
  const refuse = () =>
    invoke.mockImplementation(async () => {
      throw { code: 'locked', message: 'Log in to go on.' };
    });

  it('shows the lock screen and still rejects the call', async () => {
    signedIn(status('jo'));
    refuse();
    await expect(api.getClient('x')).rejects.toMatchObject({ code: 'locked' });
    expect(auth.locked).toBe(true);
    signedIn(status('jo'));
    expect(auth.locked).toBe(false);
  });

  it('ignores other errors, and locked answers when nobody is logged in', async () => {
    signedIn(status('jo'));
    invoke.mockImplementation(async () => {
      throw { code: 'forbidden', message: 'A therapist may not see the dashboard.' };
    });
    await expect(api.getClient('x')).rejects.toMatchObject({ code: 'forbidden' });
    expect(auth.locked).toBe(false);
    signedOut();
    refuse();
    await expect(api.getClient('x')).rejects.toMatchObject({ code: 'locked' });
    expect(auth.locked).toBe(false);
  });

  it('ignores a locked answer to a call from before the latest login', async () => {
    signedIn(status('jo'));
    let fail!: () => void;
    invoke.mockImplementation(
      () =>
        new Promise((_, reject) => {
          fail = () => reject({ code: 'locked', message: 'Log in to go on.' });
        }),
    );
    const pending = api.saveSessionDraft('s1', {} as never);
    signedIn(status('jo'));
    fail();
    await expect(pending).rejects.toMatchObject({ code: 'locked' });
    expect(auth.locked).toBe(false);
  });
});
