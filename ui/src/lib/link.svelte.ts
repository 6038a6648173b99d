// Whether the clinic server answers. The shell asks the core every second while someone is
// logged in on a clinic's workstation, and any command that fails with `offline` says so at
// once; the banner shows while it is unreachable. On a single computer it is always reachable.

export const link = $state<{ reachable: boolean; message: string | null }>({ reachable: true, message: null });

export function reportOffline(message: string) {
  link.reachable = false;
  link.message = message;
}

/** Back: screens holding something unsaved (the note being typed) try again now. */
export function reportReachable() {
  const wasAway = !link.reachable;
  link.reachable = true;
  link.message = null;
  if (wasAway && typeof window !== 'undefined') window.dispatchEvent(new Event('stillpoint:online'));
}
