import * as oauth from 'oauth4webapi';
import type { KeyValueStore } from './store.js';

/** A token set as latchkey keeps it (sealed) in the vault. @internal */
export interface TokenSet {
  /** The issuer and client the tokens were issued by and to; checked on every read. */
  issuer: string;
  clientId: string;
  /** A random id of the login these tokens descend from; refreshes keep it. */
  sessionId: string;
  accessToken: string;
  /** `dpop` when the access token is bound to the session's DPoP key. */
  tokenType: 'bearer' | 'dpop';
  /** Access-token expiry, epoch ms (receipt time + `expires_in`), or null when unknown. */
  expiresAt: number | null;
  /** When the token response was received, epoch ms by the local clock. */
  receivedAt: number;
  refreshToken?: string;
  idToken?: string;
  /** The validated ID token claims. */
  claims: { sub: string; [claim: string]: unknown };
  scope?: string;
  /** The server clock's offset from the browser's, seconds (server minus local). */
  serverOffsetSeconds?: number;
  /** Tokens of the APIs that have their own (by origin), obtained with this session's refresh token. */
  apis?: Record<string, ApiToken>;
}

/** The access token of one API with a token of its own. @internal */
export interface ApiToken {
  accessToken: string;
  tokenType: 'bearer' | 'dpop';
  expiresAt: number | null;
  receivedAt: number;
  scope?: string;
}

/** The stored session: its tokens, the DPoP key pair they are bound to, and its version. @internal */
export interface StoredSession {
  /** A random id, new on every write: what compare-and-swap writes compare. */
  version: string;
  tokens: TokenSet;
  /** The non-extractable DPoP key pair of this session (one per login), if DPoP is on. */
  keys: CryptoKeyPair | undefined;
}

/** The transient values of one login, sealed between `login()` and the callback. @internal */
export interface LoginTransaction {
  issuer: string;
  clientId: string;
  state: string;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  dpop: boolean;
  returnTo?: string;
  createdAt: number;
}

/** What `takeTransaction` found. `foreign`: the state belongs to another session on this origin. @internal */
export type TakenTransaction =
  | { status: 'found'; transaction: LoginTransaction; keys: CryptoKeyPair | undefined }
  | { status: 'missing' }
  | { status: 'foreign' }
  | { status: 'expired' };

/** How long a login transaction stays usable. */
export const TRANSACTION_TTL_MS = 10 * 60 * 1000;

/**
 * SHA-256 of a login's `state`, base64url: the name of its transaction slot,
 * and the id other windows learn its outcome by — never the state itself.
 * (oauth4webapi's PKCE challenge is exactly this function.)
 * @internal
 */
export const stateHash: (state: string) => Promise<string> = oauth.calculatePKCECodeChallenge;

const FORMAT = 2;
const TX_PREFIX = 'tx:';
/** latchkey 0.1.0's unnamespaced slots: the database's AES key, the sealed tokens, the DPoP key pair. */
const LEGACY_SLOTS = ['key', 'tokens', 'dpop'];

interface SealedRecord {
  v: number;
  /** The record's own non-extractable AES-GCM key: nothing outlives the record it seals. */
  key: CryptoKey;
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
  /** The session's version (session records), or the owner's namespace (transactions). */
  tag: string;
  /** A DPoP key pair travelling with the record (structured-cloned, non-extractable). */
  keys?: CryptoKeyPair;
  /** Epoch ms after which the record is worthless (transactions only). */
  expiresAt?: number;
}

/** The sealed store of one session (one issuer and client). @internal */
export interface Vault {
  /** The stored session, or undefined. Takes over this app's latchkey 0.1.0 session once. */
  readSession(): Promise<StoredSession | undefined>;
  /**
   * Seals `tokens` (with `keys`) as a new version and writes it, in one atomic
   * step, only if the stored version is still `expected` (`null`: write
   * whatever is stored). Resolves to the new version, or undefined when the
   * stored session changed meanwhile (nothing written).
   */
  writeSession(tokens: TokenSet, keys: CryptoKeyPair | undefined, expected: string | null): Promise<string | undefined>;
  /** Deletes the stored session in one atomic step and returns what it was. */
  takeSession(): Promise<StoredSession | undefined>;
  saveTransaction(transaction: LoginTransaction, keys: CryptoKeyPair | undefined): Promise<void>;
  /** Takes (reads and deletes, atomically: exactly once across tabs) our transaction for `state`. */
  takeTransaction(state: string): Promise<TakenTransaction>;
}

/** Effects the vault needs. @internal */
export interface VaultDeps {
  store: KeyValueStore;
  crypto: Crypto;
  now: () => number;
  issuer: string;
  clientId: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isCryptoKey(value: unknown): value is CryptoKey {
  return Object.prototype.toString.call(value) === '[object CryptoKey]';
}

/** A copy of `value` when it is a key pair, else undefined. */
function asKeyPair(value: unknown): CryptoKeyPair | undefined {
  const pair = value as Partial<CryptoKeyPair> | undefined;
  return pair && isCryptoKey(pair.privateKey) && isCryptoKey(pair.publicKey)
    ? { privateKey: pair.privateKey, publicKey: pair.publicKey }
    : undefined;
}

function isSealed(value: unknown): value is SealedRecord {
  // Optional chaining also turns away null and primitives: they have no `v`.
  const record = value as Partial<SealedRecord> | null | undefined;
  return record?.v === FORMAT && isCryptoKey(record.key) && record.iv instanceof Uint8Array && record.iv.byteLength === 12 &&
    typeof record.tag === 'string' && (record.data instanceof ArrayBuffer || ArrayBuffer.isView(record.data));
}

/** The version of a sealed record, or undefined. */
function tagOf(value: unknown): string | undefined {
  return isSealed(value) ? value.tag : undefined;
}

/**
 * Creates the vault of one issuer + client. Everything it stores is named
 * under that pair (the namespace) and sealed with AES-GCM under a
 * non-extractable key of the record's own (kept in the record, so deleting a
 * record leaves nothing behind), with the namespace, slot and version as
 * additional data, so no record can be read by, or swapped into, another
 * session. Transactions sit under a hash of `state`, shared by every session
 * of the origin, with their owner's namespace beside them: a callback can tell
 * "another app's login" from "forged". A record that cannot be opened reads
 * as absent.
 * @internal
 */
export function createVault({ store, crypto, now, issuer, clientId }: VaultDeps): Vault {
  const subtle = crypto.subtle;
  const ns = `${JSON.stringify([issuer, clientId])}/`;
  const sessionSlot = `${ns}session`;

  /** The AES-GCM parameters of a record: its IV, and its slot and version as additional data. */
  const cipher = (iv: Uint8Array<ArrayBuffer>, slot: string, tag: string): AesGcmParams =>
    ({ name: 'AES-GCM', iv, additionalData: encoder.encode(`latchkey/${FORMAT}/${slot}/${tag}`) });

  /** Whether a token set or transaction was issued by our issuer to our client. */
  const ours = (value: { issuer: string; clientId: string }) => value.issuer === issuer && value.clientId === clientId;

  async function seal(slot: string, tag: string, value: unknown, keys: CryptoKeyPair | undefined): Promise<SealedRecord> {
    const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await subtle.encrypt(cipher(iv, slot, tag), key, encoder.encode(JSON.stringify(value)));
    const record: SealedRecord = { v: FORMAT, key, iv, data, tag };
    if (keys) record.keys = asKeyPair(keys);
    return record;
  }

  /** Opens a record; undefined when it cannot be (tampered, another slot or format). */
  async function open(slot: string, record: unknown): Promise<unknown> {
    if (!isSealed(record)) return undefined;
    try {
      return JSON.parse(decoder.decode(await subtle.decrypt(cipher(record.iv, slot, record.tag), record.key, record.data)));
    } catch {
      return undefined;
    }
  }

  async function sessionFrom(record: unknown): Promise<StoredSession | undefined> {
    const tokens = await open(sessionSlot, record);
    if (!isTokenSet(tokens) || !ours(tokens)) return undefined;
    return { version: (record as SealedRecord).tag, tokens, keys: asKeyPair((record as SealedRecord).keys) };
  }

  // The slot name must not reveal the state: it is a hash of it.
  const transactionSlot = async (state: string): Promise<string> => TX_PREFIX + await stateHash(state);

  /** Deletes expired or unreadable login transactions. */
  async function prune(): Promise<void> {
    const slots = (await store.keys()).filter((slot) => slot.startsWith(TX_PREFIX));
    const records = await store.getMany(slots);
    await Promise.all(slots.map((slot, index) => {
      const record = records[index];
      const stale = !isSealed(record) || (record.expiresAt ?? 0) <= now();
      return stale ? store.del(slot) : undefined;
    }));
  }

  /**
   * Seals `tokens` as a new version and writes it if the stored version is
   * `expected` (`null`: whatever is stored; `undefined`: only where none is).
   */
  async function write(tokens: TokenSet, keys: CryptoKeyPair | undefined, expected: string | null | undefined): Promise<string | undefined> {
    const version = crypto.randomUUID();
    const record = await seal(sessionSlot, version, tokens, keys);
    // `transact` resolves to the value `matches` decided on, so it tells whether the record was written.
    const matches = (old: unknown) => expected === null || tagOf(old) === expected;
    const old = await store.transact(sessionSlot, (value) => (matches(value) ? { set: record } : undefined));
    return matches(old) ? version : undefined;
  }

  /**
   * Takes over the session latchkey 0.1.0 stored, so an upgrade signs nobody
   * out. 0.1.0 kept one session per database, unnamespaced ('tokens', sealed
   * under the database's 'key', the DPoP pair in 'dpop'); its validated ID
   * token claims tell whose it is. Ours (`iss` our issuer, `aud` our client):
   * stored as this session's (only where none is stored) and the old records
   * deleted. Another app's, or unreadable: left alone. Takes the values of
   * {@link LEGACY_SLOTS}.
   */
  async function fromLegacy([key, record, keys]: unknown[]): Promise<boolean> {
    if (!isCryptoKey(key) || !record) return false;
    try {
      const { iv, data } = record as SealedRecord;
      const old = JSON.parse(decoder.decode(await subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode('latchkey/1/tokens') }, key, data,
      ))) as TokenSet;
      const tokens = { ...old, issuer, clientId, sessionId: crypto.randomUUID() };
      if (!isTokenSet(tokens) || new URL(String(old.claims.iss)).href !== issuer || ![old.claims.aud].flat().includes(clientId)) return false;
      await write(tokens, asKeyPair(keys), undefined);
    } catch {
      return false; // not a 0.1.0 session we can read
    }
    await Promise.all(LEGACY_SLOTS.map((slot) => store.del(slot)));
    return true;
  }

  /** A transaction record of another session of this origin. */
  const isForeign = (record: unknown) => isSealed(record) && record.tag !== ns;

  return {
    async readSession() {
      // One read: our slot, and 0.1.0's (this app's session there is taken over once when none is stored).
      let [record, ...legacy] = await store.getMany([sessionSlot, ...LEGACY_SLOTS]);
      if (record === undefined && await fromLegacy(legacy)) record = await store.get(sessionSlot);
      if (record === undefined) return undefined;
      const session = await sessionFrom(record);
      if (!session) {
        // Unreadable (no key, tampered, another format or another session's): delete that very record.
        const tag = tagOf(record);
        await store.transact(sessionSlot, (value) => (!isSealed(value) || value.tag === tag ? 'delete' : undefined));
      }
      return session;
    },
    writeSession: write,
    async takeSession() {
      // Deleting an absent record changes nothing; an absent record opens as undefined.
      return sessionFrom(await store.transact(sessionSlot, () => 'delete'));
    },
    async saveTransaction(transaction, keys) {
      await prune();
      const slot = await transactionSlot(transaction.state);
      const record = await seal(slot, ns, transaction, keys);
      record.expiresAt = transaction.createdAt + TRANSACTION_TTL_MS;
      await store.set(slot, record);
    },
    async takeTransaction(state) {
      const slot = await transactionSlot(state);
      // Read and delete in one readwrite transaction: exactly one taker wins. Another session's record stays.
      const record = await store.transact(slot, (old) => (isForeign(old) ? undefined : 'delete'));
      if (isForeign(record)) return { status: 'foreign' };
      const value = await open(slot, record);
      if (!isTransaction(value) || value.state !== state || !ours(value)) return { status: 'missing' };
      if (value.createdAt + TRANSACTION_TTL_MS <= now() || value.createdAt > now() + 60_000) return { status: 'expired' };
      return { status: 'found', transaction: value, keys: asKeyPair((record as SealedRecord).keys) };
    },
  };
}

// Both guards read what JSON.parse gave: optional chaining turns away null and primitives.

function isTransaction(value: unknown): value is LoginTransaction {
  const tx = value as Partial<LoginTransaction> | null | undefined;
  return typeof tx?.state === 'string' && typeof tx.codeVerifier === 'string' &&
    typeof tx.nonce === 'string' && typeof tx.createdAt === 'number';
}

function isTokenSet(value: unknown): value is TokenSet {
  const set = value as Partial<TokenSet> | null | undefined;
  return typeof set?.accessToken === 'string' && typeof set.sessionId === 'string' && (set.tokenType === 'bearer' || set.tokenType === 'dpop') &&
    (set.expiresAt === null || typeof set.expiresAt === 'number') && typeof set.receivedAt === 'number' &&
    typeof set.claims?.sub === 'string';
}
