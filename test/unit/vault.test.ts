import { describe, expect, it } from 'vitest';
import { idbStore } from '../../src/store.ts';
import { TRANSACTION_TTL_MS, createVault, type LoginTransaction, type TokenSet } from '../../src/vault.ts';

const ISSUER = 'https://auth.example.com/';
let counter = 0;
function freshVault(now = () => 1_000_000, name = `vault-test-${++counter}`, who: { issuer?: string; clientId?: string } = {}) {
  const store = idbStore(name);
  const issuer = who.issuer ?? ISSUER;
  const clientId = who.clientId ?? 'spa';
  return { store, name, vault: createVault({ store, crypto: globalThis.crypto, now, issuer, clientId }) };
}

const tokens: TokenSet = {
  issuer: ISSUER,
  clientId: 'spa',
  sessionId: 's-1',
  accessToken: 'at-SECRET-123',
  tokenType: 'dpop',
  expiresAt: 2_000_000,
  receivedAt: 1_000_000,
  refreshToken: 'rt-SECRET-456',
  idToken: 'id-SECRET-789',
  claims: { sub: 'alice', name: 'Alice' },
};

const transaction: LoginTransaction = {
  issuer: ISSUER,
  clientId: 'spa',
  state: 'state-SECRET',
  codeVerifier: 'verifier-SECRET',
  nonce: 'nonce-SECRET',
  redirectUri: 'https://app.example.com/',
  dpop: true,
  returnTo: '/inbox',
  createdAt: 1_000_000,
};

const dpopKeys = () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);

/** Everything the store holds, as one string (binary as latin1), to look for secrets in. */
async function dump(store: ReturnType<typeof idbStore>): Promise<string> {
  const keys = await store.keys();
  const values = await store.getMany(keys);
  return keys.map((key, i) => {
    const value = values[i] as { data?: ArrayBuffer } | undefined;
    const data = value?.data ? Buffer.from(new Uint8Array(value.data)).toString('latin1') : '';
    return `${key}=${JSON.stringify(value, (_k, v) => (v instanceof ArrayBuffer ? '' : v))}${data}`;
  }).join('\n');
}

const slotOf = async (store: ReturnType<typeof idbStore>, suffix: string) => (await store.keys()).find((key) => key.endsWith(suffix))!;

describe('vault', () => {
  it('round-trips a session with its DPoP keys and stores nothing readable', async () => {
    const { store, vault } = freshVault();
    const keys = await dpopKeys();
    const version = await vault.writeSession(tokens, keys, null);
    const read = await vault.readSession();
    expect(read?.tokens).toEqual(tokens);
    expect(read?.version).toBe(version);
    expect(read?.keys?.privateKey.extractable).toBe(false);
    const raw = await dump(store);
    for (const secret of ['at-SECRET', 'rt-SECRET', 'id-SECRET', 'alice']) expect(raw).not.toContain(secret);
  });

  it('seals under a non-extractable AES-GCM key with a fresh IV and version on every write', async () => {
    const { store, vault } = freshVault();
    const v1 = await vault.writeSession(tokens, undefined, null);
    const slot = await slotOf(store, '/session');
    const first = (await store.get(slot)) as { iv: Uint8Array };
    const v2 = await vault.writeSession(tokens, undefined, v1!);
    const second = (await store.get(slot)) as { iv: Uint8Array };
    expect(v2).not.toBe(v1);
    expect(Buffer.from(first.iv).equals(Buffer.from(second.iv))).toBe(false);
    const key = (second as unknown as { key: CryptoKey }).key;
    expect(key).not.toBe((first as unknown as { key: CryptoKey }).key);
    expect(await store.keys()).toEqual([slot]); // the key lives in the record it seals: nothing else is stored
    expect(key.extractable).toBe(false);
    expect(key.algorithm.name).toBe('AES-GCM');
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });

  it('writes only over the version it expects (compare-and-swap)', async () => {
    const { vault } = freshVault();
    const v1 = await vault.writeSession(tokens, undefined, null);
    const v2 = await vault.writeSession({ ...tokens, accessToken: 'second' }, undefined, v1!);
    expect(v2).toBeDefined();
    expect(await vault.writeSession({ ...tokens, accessToken: 'stale' }, undefined, v1!)).toBeUndefined();
    expect((await vault.readSession())?.tokens.accessToken).toBe('second');
    await vault.takeSession();
    expect(await vault.writeSession({ ...tokens, accessToken: 'after logout' }, undefined, v2!)).toBeUndefined();
    expect(await vault.readSession()).toBeUndefined();
  });

  it('takeSession deletes atomically, returns what was stored, and leaves nothing behind', async () => {
    const { vault, store } = freshVault();
    await vault.writeSession(tokens, undefined, null);
    const [a, b] = await Promise.all([vault.takeSession(), vault.takeSession()]);
    expect([a?.tokens.refreshToken, b?.tokens.refreshToken].filter(Boolean)).toEqual(['rt-SECRET-456']);
    expect(await vault.readSession()).toBeUndefined();
    expect(await store.keys()).toEqual([]);
  });

  it('discards a tampered record instead of throwing', async () => {
    const { store, vault } = freshVault();
    await vault.writeSession(tokens, undefined, null);
    const slot = await slotOf(store, '/session');
    const record = (await store.get(slot)) as { data: ArrayBuffer };
    const bytes = new Uint8Array(record.data.slice(0));
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await store.set(slot, { ...record, data: bytes.buffer });
    expect(await vault.readSession()).toBeUndefined();
    expect(await store.get(slot)).toBeUndefined();
  });

  it('discards a record whose version tag was changed (the tag is sealed too)', async () => {
    const { store, vault } = freshVault();
    await vault.writeSession(tokens, undefined, null);
    const slot = await slotOf(store, '/session');
    await store.set(slot, { ...((await store.get(slot)) as object), tag: 'forged-version' });
    expect(await vault.readSession()).toBeUndefined();
  });

  it('discards a record sealed by another key, or of an unknown format', async () => {
    const { store, vault } = freshVault();
    await vault.writeSession(tokens, undefined, null);
    const slot = await slotOf(store, '/session');
    const otherKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    await store.set(slot, { ...((await store.get(slot)) as object), key: otherKey });
    expect(await vault.readSession()).toBeUndefined();
    await vault.writeSession(tokens, undefined, null);
    await store.set(await slotOf(store, '/session'), { accessToken: 'plain' });
    expect(await vault.readSession()).toBeUndefined();
  });

  it('does not open a record moved into another slot', async () => {
    const { store, vault } = freshVault();
    await vault.saveTransaction(transaction, undefined);
    const slot = (await store.keys()).find((key) => key.startsWith('tx:'))!;
    await vault.writeSession(tokens, undefined, null);
    await store.set(await slotOf(store, '/session'), await store.get(slot));
    expect(await vault.readSession()).toBeUndefined();
  });

  it('keeps login transactions sealed, single-use, and under a slot that does not reveal the state', async () => {
    const { store, vault } = freshVault();
    const keys = await dpopKeys();
    await vault.saveTransaction(transaction, keys);
    const raw = await dump(store);
    for (const secret of ['state-SECRET', 'verifier-SECRET', 'nonce-SECRET', '/inbox']) expect(raw).not.toContain(secret);
    const taken = await vault.takeTransaction('state-SECRET');
    expect(taken).toMatchObject({ status: 'found', transaction });
    expect(taken.status === 'found' && taken.keys?.privateKey.extractable).toBe(false);
    expect(await vault.takeTransaction('state-SECRET')).toEqual({ status: 'missing' });
    expect(await vault.takeTransaction('another-state')).toEqual({ status: 'missing' });
  });

  it('a transaction is taken exactly once when takers race', async () => {
    const { vault, name } = freshVault();
    const other = createVault({ store: idbStore(name), crypto: globalThis.crypto, now: () => 1_000_000, issuer: ISSUER, clientId: 'spa' });
    await vault.saveTransaction(transaction, undefined);
    const results = await Promise.all([vault.takeTransaction('state-SECRET'), other.takeTransaction('state-SECRET'), vault.takeTransaction('state-SECRET')]);
    expect(results.filter((result) => result.status === 'found')).toHaveLength(1);
  });

  it('expires login transactions after ten minutes and prunes them', async () => {
    let now = 1_000_000;
    const { store, vault } = freshVault(() => now);
    await vault.saveTransaction(transaction, undefined);
    now += TRANSACTION_TTL_MS + 1;
    expect(await vault.takeTransaction('state-SECRET')).toEqual({ status: 'expired' });

    await vault.saveTransaction({ ...transaction, state: 'old', createdAt: 1_000_000 }, undefined);
    await vault.saveTransaction({ ...transaction, state: 'new', createdAt: now }, undefined);
    const slots = (await store.keys()).filter((key) => key.startsWith('tx:'));
    expect(slots).toHaveLength(1);
    expect((await vault.takeTransaction('new')).status).toBe('found');
  });

});

describe('upgrading from latchkey 0.1.0', () => {
  /** Stores a session the way 0.1.0 did: one AES key per database ('key'), the tokens sealed under it ('tokens'), the DPoP pair ('dpop'). */
  async function store010(store: ReturnType<typeof idbStore>, claims: Record<string, unknown>, withKeys = true) {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const old = { accessToken: 'at-OLD', tokenType: withKeys ? 'dpop' : 'bearer', expiresAt: 2_000_000, receivedAt: 1_000_000, refreshToken: 'rt-OLD', idToken: 'id-OLD', claims };
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode('latchkey/1/tokens') }, key,
      new TextEncoder().encode(JSON.stringify(old)));
    await store.set('key', key);
    await store.set('tokens', { v: 1, iv, data });
    if (withKeys) await store.set('dpop', await dpopKeys());
  }
  const legacySlots = async (store: ReturnType<typeof idbStore>) => (await store.keys()).filter((slot) => ['key', 'tokens', 'dpop'].includes(slot)).sort();

  it('takes over this app\'s 0.1.0 session once (tokens and DPoP keys), so an upgrade signs nobody out, and deletes the old records', async () => {
    const { store, vault } = freshVault();
    // oidc-provider's iss has no trailing slash; the configured issuer URL may.
    await store010(store, { sub: 'alice', iss: ISSUER.replace(/\/$/, ''), aud: 'spa' });
    const session = await vault.readSession();
    expect(session?.tokens).toMatchObject({ issuer: ISSUER, clientId: 'spa', accessToken: 'at-OLD', refreshToken: 'rt-OLD', tokenType: 'dpop', claims: { sub: 'alice' } });
    expect(session?.keys?.privateKey.extractable).toBe(false);
    expect(await legacySlots(store)).toEqual([]);
    expect((await vault.readSession())?.version).toBe(session?.version); // stored as ours: read again, same version
    expect(await dump(store)).not.toContain('at-OLD');
  });

  it('leaves another app\'s 0.1.0 session alone (another client or issuer), and never adopts it', async () => {
    for (const claims of [{ sub: 'bob', iss: ISSUER, aud: ['other-spa'] }, { sub: 'bob', iss: 'https://login.example.org/', aud: 'spa' }]) {
      const { store, vault } = freshVault();
      await store010(store, claims);
      expect(await vault.readSession()).toBeUndefined();
      expect(await legacySlots(store)).toEqual(['dpop', 'key', 'tokens']);
    }
  });

  it('a session stored by this version wins over a 0.1.0 one, and an unreadable 0.1.0 record is left alone', async () => {
    const { store, vault } = freshVault();
    await vault.writeSession(tokens, undefined, null);
    await store010(store, { sub: 'alice', iss: ISSUER, aud: 'spa' }, false);
    expect((await vault.readSession())?.tokens.accessToken).toBe('at-SECRET-123');

    const other = freshVault();
    await store010(other.store, { sub: 'alice', iss: ISSUER, aud: 'spa' }, false);
    await other.store.set('key', await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])); // not the sealing key
    expect(await other.vault.readSession()).toBeUndefined();
    expect(await legacySlots(other.store)).toEqual(['key', 'tokens']);
  });
});

describe('vault isolation between sessions of one origin', () => {
  it.each([
    ['another client', { clientId: 'other-spa' }],
    ['another issuer', { issuer: 'https://login.example.org/' }],
  ])('%s with the same storageName sees none of the session and cannot take its transaction', async (_name, who) => {
    const { vault, name } = freshVault();
    const other = freshVault(() => 1_000_000, name, who).vault;
    await vault.writeSession(tokens, undefined, null);
    await vault.saveTransaction(transaction, undefined);
    expect(await other.readSession()).toBeUndefined();
    expect(await other.takeSession()).toBeUndefined();
    expect(await other.takeTransaction('state-SECRET')).toEqual({ status: 'foreign' });
    // ...and none of that touched the first session's state.
    expect((await vault.readSession())?.tokens.accessToken).toBe('at-SECRET-123');
    expect((await vault.takeTransaction('state-SECRET')).status).toBe('found');
  });

  it('a token set issued to another issuer or client is not used, even in our slot', async () => {
    const { vault } = freshVault();
    await vault.writeSession({ ...tokens, clientId: 'other-spa' }, undefined, null);
    expect(await vault.readSession()).toBeUndefined();
    await vault.writeSession({ ...tokens, issuer: 'https://evil.example/' }, undefined, null);
    expect(await vault.readSession()).toBeUndefined();
  });
});

describe('idbStore', () => {
  it('turns an IndexedDB that cannot open into storage_unavailable', async () => {
    const original = globalThis.indexedDB;
    // @ts-expect-error simulate a browser without IndexedDB (private mode, blocked storage)
    delete globalThis.indexedDB;
    try {
      const store = idbStore('no-idb');
      await expect(store.get('x')).rejects.toMatchObject({ name: 'LatchkeyError', code: 'storage_unavailable' });
      await expect(store.get('x')).rejects.toThrow(/allow site data/);
    } finally {
      globalThis.indexedDB = original;
    }
  });
});
