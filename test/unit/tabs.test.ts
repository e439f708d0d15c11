import { describe, expect, it } from 'vitest';
import { createTabLink } from '../../src/tabs.ts';

describe('createTabLink without Web Locks or BroadcastChannel', () => {
  it('still runs one task at a time in this tab, and announcing is harmless', async () => {
    const link = createTabLink('t', { locks: undefined, BroadcastChannel: undefined });
    const order: string[] = [];
    const slow = link.withLock(async () => {
      order.push('a-start');
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push('a-end');
      throw new Error('a failed');
    });
    const next = link.withLock(async () => {
      order.push('b');
      return 2;
    });
    await expect(slow).rejects.toThrow('a failed');
    expect(await next).toBe(2);
    expect(order).toEqual(['a-start', 'a-end', 'b']);
    link.announce({ type: 'changed' });
    expect(link.listen(() => undefined)).toBeTypeOf('function');
    link.close();
  });
});

describe('createTabLink on BroadcastChannel', () => {
  it('delivers valid messages to other links only, and ignores foreign ones', async () => {
    const a = createTabLink('chan', { locks: undefined, BroadcastChannel });
    const b = createTabLink('chan', { locks: undefined, BroadcastChannel });
    const seenByA: unknown[] = [];
    const seenByB: unknown[] = [];
    a.listen((m) => seenByA.push(m));
    b.listen((m) => seenByB.push(m));
    const raw = new BroadcastChannel('chan');
    raw.postMessage({ type: 'tokens', accessToken: 'leak?' });
    a.announce({ type: 'logout' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seenByB).toEqual([{ type: 'logout' }]);
    expect(seenByA).toEqual([]);
    raw.close();
    a.close();
    b.close();
  });
});
