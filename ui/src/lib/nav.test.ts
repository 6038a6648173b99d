import { describe, expect, it } from 'vitest';
import type { Role } from './bindings/Role';
import type { Section } from './bindings/Section';
import { HOME, back, current, push, replace, reset, section, showsSection, sidebarFor, title, type View } from './nav';

describe('navigation stack', () => {
  it('returns to the screen the form was opened from', () => {
    let s: View[] = reset();
    s = push(s, { name: 'client', id: 'a' });
    s = push(s, { name: 'new' });
    expect(current(back(s))).toEqual({ name: 'client', id: 'a' });
  });

  it('does not return to a saved form', () => {
    let s: View[] = reset();
    s = push(s, { name: 'new' });
    s = replace(s, { name: 'client', id: 'b' });
    expect(current(s)).toEqual({ name: 'client', id: 'b' });
    expect(current(back(s))).toEqual(HOME);
  });

  it('never goes back past the client list', () => {
    expect(back(reset())).toEqual([HOME]);
    expect(current([])).toEqual(HOME);
  });
});

describe('charting screens', () => {
  it('return from a session note or an intake to the client page', () => {
    let s: View[] = push(reset(), { name: 'client', id: 'a' });
    s = push(s, { name: 'session', id: 's1' });
    expect(current(back(s))).toEqual({ name: 'client', id: 'a' });
    s = push(back(s), { name: 'intake', clientId: 'a' });
    expect(current(back(s))).toEqual({ name: 'client', id: 'a' });
  });

  it('light the sidebar item the stack was started from', () => {
    expect(section(reset())).toBe('clients');
    expect(section(push(reset(), { name: 'session', id: 's' }))).toBe('clients');
    expect(section(reset({ name: 'techniques' }))).toBe('techniques');
    expect(section(push(reset({ name: 'dashboard' }), { name: 'client', id: 'c' }))).toBe('dashboard');
    expect(section(push(reset({ name: 'search' }), { name: 'session', id: 's' }))).toBe('search');
    expect(section(push(reset(), { name: 'history', clientId: 'c' }))).toBe('clients');
  });

  it('title every screen', () => {
    expect(title({ name: 'session', id: 's' })).toBe('Session note');
    expect(title({ name: 'intake', clientId: 'c' })).toBe('New intake');
    expect(title({ name: 'techniques' })).toBe('Techniques');
    expect(title({ name: 'admin' })).toBe('Administration');
  });
});

describe('the sidebar by role', () => {
  // The sections the core sends in `AppStatus.sections` for each role (src/security/users.rs,
  // `Role::sections`, whose unit test pins the same lists).
  const CORE_SECTIONS = {
    therapist: ['clients', 'search', 'techniques', 'about'],
    manager: ['clients', 'search', 'dashboard', 'techniques', 'about'],
    administrator: ['clients', 'search', 'dashboard', 'techniques', 'admin', 'about'],
  } as const satisfies Record<Role, readonly Section[]>;
  const sections = (role: Role) => sidebarFor(CORE_SECTIONS[role]).map((i) => i.section);

  it('shows therapists their charting screens only', () => {
    expect(sections('therapist')).toEqual(['clients', 'search', 'techniques', 'about']);
  });

  it('adds the dashboard for managers, and administration for administrators', () => {
    expect(sections('manager')).toEqual(['clients', 'search', 'dashboard', 'techniques', 'about']);
    expect(sections('administrator')).toEqual(['clients', 'search', 'dashboard', 'techniques', 'admin', 'about']);
    expect(sidebarFor(CORE_SECTIONS.administrator).find((i) => i.section === 'admin')?.label).toBe('Administration');
  });

  it('keeps the sidebar order whatever order the sections come in', () => {
    expect(sidebarFor(['admin', 'clients']).map((i) => i.section)).toEqual(['clients', 'admin']);
  });

  it('shows nothing to nobody', () => {
    expect(sidebarFor(null)).toEqual([]);
    expect(sidebarFor([])).toEqual([]);
    expect(showsSection(undefined, 'clients')).toBe(false);
  });

  it('answers for one section', () => {
    expect(showsSection(CORE_SECTIONS.therapist, 'dashboard')).toBe(false);
    expect(showsSection(CORE_SECTIONS.manager, 'admin')).toBe(false);
    expect(showsSection(CORE_SECTIONS.administrator, 'admin')).toBe(true);
  });

  it('lights the administration item for its screens', () => {
    expect(section(reset({ name: 'admin' }))).toBe('admin');
  });

  it('shows About to every role, last', () => {
    for (const role of ['therapist', 'manager', 'administrator'] as const) {
      expect(sections(role).at(-1)).toBe('about');
    }
    expect(section(reset({ name: 'about' }))).toBe('about');
    expect(title({ name: 'about' })).toBe('About Stillpoint');
  });
});
