import { describe, expect, it, vi } from 'vitest';
import { containKeys } from './containKeys';

describe('containKeys', () => {
  it('keeps keydown inside the node until destroyed', () => {
    // EventTarget stands in for the node; only its listener bookkeeping is used.
    const node = new EventTarget() as unknown as HTMLElement;
    const action = containKeys(node);
    const e = new Event('keydown');
    const stop = vi.spyOn(e, 'stopPropagation');
    node.dispatchEvent(e);
    expect(stop).toHaveBeenCalledTimes(1);
    action.destroy();
    const again = new Event('keydown');
    const stopAgain = vi.spyOn(again, 'stopPropagation');
    node.dispatchEvent(again);
    expect(stopAgain).not.toHaveBeenCalled();
  });
});
