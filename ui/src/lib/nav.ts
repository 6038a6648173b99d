// Which screen is shown, as a small stack so "Cancel" can return to where the user was.

import type { Client } from './bindings/Client';
import type { Section } from './bindings/Section';

export type View =
  | { name: 'list' }
  | { name: 'client'; id: string; intake?: string }
  | { name: 'new' }
  | { name: 'edit'; client: Client }
  | { name: 'intake'; clientId: string }
  | { name: 'midas'; clientId: string }
  | { name: 'care-plan'; clientId: string }
  | { name: 'session'; id: string }
  | { name: 'techniques' }
  | { name: 'history'; clientId: string }
  | { name: 'dashboard' }
  | { name: 'search'; text?: string }
  | { name: 'admin' }
  | { name: 'about' };

export const HOME: View = { name: 'list' };

export function current(stack: readonly View[]): View {
  return stack[stack.length - 1] ?? HOME;
}

export function push(stack: readonly View[], view: View): View[] {
  return [...stack, view];
}

/** Show `view` in place of the current one (after a save, the form is not returned to). */
export function replace(stack: readonly View[], view: View): View[] {
  return [...stack.slice(0, -1), view];
}

/** The previous screen; the client list when there is none. */
export function back(stack: readonly View[]): View[] {
  return stack.length > 1 ? stack.slice(0, -1) : [HOME];
}

/** Start again from `view` (a sidebar item). */
export function reset(view: View = HOME): View[] {
  return [view];
}

export type { Section };

/** The sidebar item a stack belongs to: the screen it was started from. */
export function section(stack: readonly View[]): Section {
  const first = stack[0]?.name;
  return first === 'techniques' || first === 'dashboard' || first === 'search' || first === 'admin' || first === 'about'
    ? first
    : 'clients';
}

/** The sidebar, in order. */
export const SIDEBAR: readonly { section: Section; label: string }[] = [
  { section: 'clients', label: 'Clients' },
  { section: 'search', label: 'Search' },
  { section: 'dashboard', label: 'Dashboard' },
  { section: 'techniques', label: 'Techniques' },
  { section: 'admin', label: 'Administration' },
  { section: 'about', label: 'About' },
];

// Which sidebar items a user sees is the core's answer (`AppStatus.sections`, from their
// role's permissions); no table of roles is kept here. This only hides what a role cannot
// use: the core refuses anything a role may not do, whatever the screens show.

/** The sidebar items among `sections` (the core's list for the logged-in user; none to nobody). */
export function sidebarFor(sections: readonly Section[] | null | undefined): { section: Section; label: string }[] {
  const allowed = sections ?? [];
  return SIDEBAR.filter((item) => allowed.includes(item.section));
}

export function showsSection(sections: readonly Section[] | null | undefined, s: Section): boolean {
  return (sections ?? []).includes(s);
}

export function title(view: View): string {
  switch (view.name) {
    case 'list':
      return 'Clients';
    case 'client':
      return 'Client';
    case 'new':
      return 'New client';
    case 'edit':
      return 'Edit client';
    case 'intake':
      return 'New intake';
    case 'midas':
      return 'MIDAS';
    case 'care-plan':
      return 'Care plan';
    case 'session':
      return 'Session note';
    case 'techniques':
      return 'Techniques';
    case 'history':
      return 'History and outcomes';
    case 'dashboard':
      return 'Clinic dashboard';
    case 'search':
      return 'Search';
    case 'admin':
      return 'Administration';
    case 'about':
      return 'About Stillpoint';
  }
}
