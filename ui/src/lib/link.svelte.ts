// Whether the clinic server answers. The shell asks the core every second while someone is
// logged in on a clinic's workstation, and any command that fails with `offline` says so at
// once; the banner shows while it is unreachable. On a single computer it is always reachable.

export const link = $state<{ reachable: boolean; message: string | null }>({ reachable: true, message: null });

export function reportOffline(message: string) {
  link.reachable = false;
  link.message = message;
}

export function reportReachable() {
  link.reachable = true;
  link.message = null;
}
