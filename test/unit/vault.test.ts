import { describe, expect, it } from 'vitest';
import { idbStore } from '../../src/store.ts';
import { TRANSACTION_TTL_MS, createVault, type LoginTransaction, type TokenSet } from '../../src/vault.ts';

let counter = 0;
function freshVault(now = () => 1_000_000) {
  const store = idbStore(`vault-test-${++counter}`);
  return { store, vault: createVault({ store, crypto: globalThis.crypto, now }) };
}

const tokens: TokenSet = {
  accessToken: 'at-SECRET-123',
  tokenType: 'dpop',
  expiresAt: 2_000_000,
  receivedAt: 1_000_000,
  refreshToken: 'rt-SECRET-456',
  idToken: 'id-SECRET-789',
  claims: { sub: 'alice', name: 'Alice' },
};

const transaction: LoginTransaction = {
  state: 'state-SECRET',
  codeVerifier: 'verifier-SECRET',
  nonce: 'nonce-SECRET',
  redirectUri: 'https://app.example.com/',
  dpop: true,
  returnTo: '/inbox',
  createdAt: 1_000_000,
};

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

describe('vault', () => {
  it('round-trips a token set and stores nothing readable', async () => {
    const { store, vault } = freshVault();
    await vault.writeTokens(tokens);
    expect(await vault.readTokens()).toEqual(tokens);
    const raw = await dump(store);
    for (const secret of ['at-SECRET', 'rt-SECRET', 'id-SECRET', 'alice']) expect(raw).not.toContain(secret);
  });

  it('seals under a non-extractable AES-GCM key with a fresh IV on every write', async () => {
    const { store, vault } = freshVault();
    await vault.writeTokens(tokens);
    const first = (await store.get('tokens')) as { iv: Uint8Array };
    await vault.writeTokens(tokens);
    const second = (await store.get('tokens')) as { iv: Uint8Array };
    expect(Buffer.from(first.iv).equals(Buffer.from(second.iv))).toBe(false);
    const key = (await store.get('key')) as CryptoKey;
    expect(key.extractable).toBe(false);
    expect(key.algorithm.name).toBe('AES-GCM');
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });

  it('discards a tampered record instead of throwing', async () => {
    const { store, vault } = freshVault();
    await vault.writeTokens(tokens);
    const record = (await store.get('tokens')) as { data: ArrayBuffer };
    const bytes = new Uint8Array(record.data.slice(0));
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await store.set('tokens', { ...record, data: bytes.buffer });
    expect(await vault.readTokens()).toBeUndefined();
    expect(await store.get('tokens')).toBeUndefined();
  });

  it('discards a record sealed by another key', async () => {
    const { store, vault } = freshVault();
    await vault.writeTokens(tokens);
    await store.set('key', await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']));
    expect(await vault.readTokens()).toBeUndefined();
  });

  it('discards a record of an unknown format', async () => {
    const { store, vault } = freshVault();
    await vault.writeTokens(tokens);
    await store.set('tokens', { accessToken: 'plain' });
    expect(await vault.readTokens()).toBeUndefined();
    expect(await store.get('tokens')).toBeUndefined();
  });

  it('does not open a record moved into another slot', async () => {
    const { store, vault } = freshVault();
    await vault.saveTransaction(transaction);
    const slot = (await store.keys()).find((key) => key.startsWith('tx:'))!;
    await store.set('tokens', await store.get(slot));
    expect(await vault.readTokens()).toBeUndefined();
  });

  it('keeps login transactions sealed, single-use, and under a slot that does not reveal the state', async () => {
    const { store, vault } = freshVault();
    await vault.saveTransaction(transaction);
    const raw = await dump(store);
    for (const secret of ['state-SECRET', 'verifier-SECRET', 'nonce-SECRET', '/inbox']) expect(raw).not.toContain(secret);
    expect(await vault.takeTransaction('state-SECRET')).toEqual({ status: 'found', transaction });
    expect(await vault.takeTransaction('state-SECRET')).toEqual({ status: 'missing' });
    expect(await vault.takeTransaction('another-state')).toEqual({ status: 'missing' });
  });

  it('expires login transactions after ten minutes and prunes them', async () => {
    let now = 1_000_000;
    const { store, vault } = freshVault(() => now);
    await vault.saveTransaction(transaction);
    now += TRANSACTION_TTL_MS + 1;
    expect(await vault.takeTransaction('state-SECRET')).toEqual({ status: 'expired' });

    await vault.saveTransaction({ ...transaction, state: 'old', createdAt: 1_000_000 });
    await vault.saveTransaction({ ...transaction, state: 'new', createdAt: now });
    const slots = (await store.keys()).filter((key) => key.startsWith('tx:'));
    expect(slots).toHaveLength(1);
    expect((await vault.takeTransaction('new')).status).toBe('found');
  });

  it('keeps one DPoP key pair with a non-extractable private key, even when two callers race', async () => {
    const { vault } = freshVault();
    const generate = () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const [a, b] = await Promise.all([vault.ensureDpopKeys(generate), vault.ensureDpopKeys(generate)]);
    const stored = await vault.readDpopKeys();
    expect(stored).toBeDefined();
    expect(a.privateKey.extractable).toBe(false);
    const thumb = async (pair: CryptoKeyPair) => JSON.stringify(await crypto.subtle.exportKey('jwk', pair.publicKey));
    expect(await thumb(a)).toBe(await thumb(stored!));
    expect(await thumb(b)).toBe(await thumb(stored!));
  });

  it('clear() forgets everything, including the sealing key', async () => {
    const { store, vault } = freshVault();
    await vault.writeTokens(tokens);
    await vault.clear();
    expect(await store.keys()).toEqual([]);
    expect(await vault.readTokens()).toBeUndefined();
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
