// A Svelte action for the lock screen and dialogs: keys pressed inside `node` still reach
// their target (typing, Enter to submit, Escape to close a dialog), but not the window's
// keyboard shortcuts of the screen underneath (Escape leaves a form, Ctrl+Enter saves it).

export function containKeys(node: HTMLElement): { destroy: () => void } {
  const stop = (e: Event) => e.stopPropagation();
  node.addEventListener('keydown', stop);
  return { destroy: () => node.removeEventListener('keydown', stop) };
}
