import { describe, expect, it } from 'vitest';
import { HOME, back, current, push, replace, reset, type View } from './nav';

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
