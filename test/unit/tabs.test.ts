import { describe, expect, it } from 'vitest';
import { createTabLink } from '../../src/tabs.ts';
import { shouldAttachToken } from '../../src/fetch.ts';

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

describe('shouldAttachToken', () => {
  const origins = new Set(['https://api.example.com', 'http://127.0.0.1:8080']);
  it.each<[string, boolean]>([
    ['https://api.example.com/v1/items', true],
    ['https://api.example.com:443/v1', true],
    ['http://127.0.0.1:8080/x', true],
    ['https://API.EXAMPLE.COM/x', true],
    ['https://api.example.com.evil.test/x', false],
    ['https://evil.test/https://api.example.com/', false],
    ['http://api.example.com/x', false],
    ['https://api.example.com:8443/x', false],
    ['https://user:pass@api.example.com/x', false],
    ['https://user@api.example.com/x', false],
    ['http://localhost:8080/x', false],
    ['http://127.0.0.1:8081/x', false],
    ['https://sub.api.example.com/x', false],
  ])('%s → %s', (url, expected) => {
    expect(shouldAttachToken(new URL(url), origins)).toBe(expected);
  });
});
