import type { KeyValueStore } from './store.js';

/** A token set as latchkey keeps it (sealed) in the vault. @internal */
export interface TokenSet {
  accessToken: string;
  /** `dpop` when the access token is bound to the vault's DPoP key. */
  tokenType: 'bearer' | 'dpop';
  /** Access-token expiry, epoch ms (receipt time + `expires_in`), or null when unknown. */
  expiresAt: number | null;
  /** When the token response was received, epoch ms by the local clock. */
  receivedAt: number;
  refreshToken?: string;
  idToken?: string;
  /** The validated ID token claims. */
  claims: Record<string, unknown>;
  scope?: string;
  /** The server clock's offset from the browser's, seconds (server minus local). */
  serverOffsetSeconds?: number;
}

/** The transient values of one login, sealed between `login()` and the callback. @internal */
export interface LoginTransaction {
  state: string;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  dpop: boolean;
  returnTo?: string;
  createdAt: number;
}

/** What `takeTransaction` found. @internal */
export type TakenTransaction =
  | { status: 'found'; transaction: LoginTransaction }
  | { status: 'missing' }
  | { status: 'expired' };

/** How long a login transaction stays usable. */
export const TRANSACTION_TTL_MS = 10 * 60 * 1000;

const FORMAT = 1;
const KEY_SLOT = 'key';
const TOKENS_SLOT = 'tokens';
const DPOP_SLOT = 'dpop';
const TX_PREFIX = 'tx:';

interface SealedRecord {
  v: number;
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
  /** Epoch ms after which the record is worthless (transactions only). */
  expiresAt?: number;
}

/** The sealed store of one session. @internal */
export interface Vault {
  readTokens(): Promise<TokenSet | undefined>;
  /** The token set and the DPoP key pair, read together (the restore on page load). */
  readSession(): Promise<{ tokens: TokenSet | undefined; dpopKeys: CryptoKeyPair | undefined }>;
  writeTokens(tokens: TokenSet): Promise<void>;
  saveTransaction(transaction: LoginTransaction): Promise<void>;
  /** Reads and deletes (single use) the transaction for `state`. */
  takeTransaction(state: string): Promise<TakenTransaction>;
  readDpopKeys(): Promise<CryptoKeyPair | undefined>;
  /** The stored DPoP key pair, or the one `generate` makes (stored unless another tab won the race). */
  ensureDpopKeys(generate: () => Promise<CryptoKeyPair>): Promise<CryptoKeyPair>;
  /** Deletes everything: tokens, transactions, DPoP keys and the sealing key. */
  clear(): Promise<void>;
}

/** Effects the vault needs. @internal */
export interface VaultDeps {
  store: KeyValueStore;
  crypto: Crypto;
  now: () => number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isCryptoKey(value: unknown): value is CryptoKey {
  return Object.prototype.toString.call(value) === '[object CryptoKey]';
}

function isSealed(value: unknown): value is SealedRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<SealedRecord>;
  return record.v === FORMAT && record.iv instanceof Uint8Array && record.iv.byteLength === 12 &&
    (record.data instanceof ArrayBuffer || ArrayBuffer.isView(record.data));
}

function b64u(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Creates the vault: values sealed with AES-GCM (256-bit, fresh 96-bit IV on
 * every write, the slot name as additional data so records cannot be swapped)
 * under a non-extractable key created on first use and kept in the same store.
 * A record that cannot be opened is deleted and reads as absent.
 * @internal
 */
export function createVault({ store, crypto, now }: VaultDeps): Vault {
  const subtle = crypto.subtle;

  async function ensureKey(): Promise<CryptoKey> {
    const existing = await store.get(KEY_SLOT);
    if (isCryptoKey(existing)) return existing;
    const fresh = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    // Two tabs may race to create the key: the first one written wins for both.
    let winner: CryptoKey = fresh;
    await store.update(KEY_SLOT, (old) => (winner = isCryptoKey(old) ? old : fresh));
    return winner;
  }

  async function seal(slot: string, value: unknown, expiresAt?: number): Promise<void> {
    const key = await ensureKey();
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(`latchkey/${FORMAT}/${slot}`) },
      key,
      encoder.encode(JSON.stringify(value)),
    );
    const record: SealedRecord = { v: FORMAT, iv, data };
    if (expiresAt !== undefined) record.expiresAt = expiresAt;
    await store.set(slot, record);
  }

  /** Opens the record at `slot`; anything unreadable is deleted and reads as undefined. */
  async function open(slot: string): Promise<unknown> {
    const [key, record] = await store.getMany([KEY_SLOT, slot]);
    return openRecord(slot, key, record);
  }

  async function openRecord(slot: string, key: unknown, record: unknown): Promise<unknown> {
    if (record === undefined) return undefined;
    try {
      if (!isCryptoKey(key) || !isSealed(record)) throw new Error('unreadable record');
      const plain = await subtle.decrypt(
        { name: 'AES-GCM', iv: record.iv, additionalData: encoder.encode(`latchkey/${FORMAT}/${slot}`) },
        key,
        record.data,
      );
      return JSON.parse(decoder.decode(plain));
    } catch {
      await store.del(slot);
      return undefined;
    }
  }

  async function transactionSlot(state: string): Promise<string> {
    // The slot name must not reveal the state: it is a hash of it.
    return TX_PREFIX + b64u(await subtle.digest('SHA-256', encoder.encode(state)));
  }

  async function readDpopKeys(): Promise<CryptoKeyPair | undefined> {
    const value = await store.get(DPOP_SLOT);
    const pair = asKeyPair(value);
    if (!pair && value !== undefined) await store.del(DPOP_SLOT);
    return pair;
  }

  async function pruneTransactions(): Promise<void> {
    const slots = (await store.keys()).filter((slot) => slot.startsWith(TX_PREFIX));
    const records = await store.getMany(slots);
    await Promise.all(
      slots.map((slot, index) => {
        const record = records[index];
        const stale = !isSealed(record) || (record.expiresAt ?? 0) <= now();
        return stale ? store.del(slot) : undefined;
      }),
    );
  }

  async function tokensFrom(value: unknown): Promise<TokenSet | undefined> {
    if (isTokenSet(value)) return value;
    if (value !== undefined) await store.del(TOKENS_SLOT);
    return undefined;
  }

  return {
    readTokens: async () => tokensFrom(await open(TOKENS_SLOT)),
    async readSession() {
      // One IndexedDB transaction for what a page load needs.
      const [key, record, pair] = await store.getMany([KEY_SLOT, TOKENS_SLOT, DPOP_SLOT]);
      return { tokens: await tokensFrom(await openRecord(TOKENS_SLOT, key, record)), dpopKeys: asKeyPair(pair) };
    },
    writeTokens: (tokens) => seal(TOKENS_SLOT, tokens),
    async saveTransaction(transaction) {
      await pruneTransactions();
      await seal(await transactionSlot(transaction.state), transaction, transaction.createdAt + TRANSACTION_TTL_MS);
    },
    async takeTransaction(state) {
      const slot = await transactionSlot(state);
      const value = await open(slot);
      if (value === undefined) return { status: 'missing' };
      await store.del(slot);
      const transaction = value as LoginTransaction;
      if (transaction.state !== state) return { status: 'missing' };
      if (transaction.createdAt + TRANSACTION_TTL_MS <= now() || transaction.createdAt > now() + 60_000) {
        return { status: 'expired' };
      }
      return { status: 'found', transaction };
    },
    readDpopKeys,
    async ensureDpopKeys(generate) {
      const existing = await readDpopKeys();
      if (existing) return existing;
      const fresh = await generate();
      // Two tabs may race to create the pair: the first one written wins for both.
      let winner: CryptoKeyPair = fresh;
      await store.update(DPOP_SLOT, (old) => {
        winner = asKeyPair(old) ?? fresh;
        return { privateKey: winner.privateKey, publicKey: winner.publicKey };
      });
      return winner;
    },
    clear: () => store.clear(),
  };
}

function asKeyPair(value: unknown): CryptoKeyPair | undefined {
  const pair = value as Partial<CryptoKeyPair> | undefined;
  return pair && isCryptoKey(pair.privateKey) && isCryptoKey(pair.publicKey)
    ? { privateKey: pair.privateKey, publicKey: pair.publicKey }
    : undefined;
}

function isTokenSet(value: unknown): value is TokenSet {
  if (typeof value !== 'object' || value === null) return false;
  const set = value as Partial<TokenSet>;
  return typeof set.accessToken === 'string' && (set.tokenType === 'bearer' || set.tokenType === 'dpop') &&
    (set.expiresAt === null || typeof set.expiresAt === 'number') && typeof set.receivedAt === 'number' &&
    typeof set.claims === 'object' && set.claims !== null && typeof set.claims.sub === 'string';
}

