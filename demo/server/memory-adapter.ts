/**
 * A small in-memory storage adapter for oidc-provider, private to one embedded
 * server, that can also tell how many refresh tokens are still usable.
 *
 * oidc-provider's built-in memory adapter keeps one LRU shared by every provider
 * in the process and cannot be enumerated; this one is per server and can.
 */

interface Entry {
  payload: Record<string, unknown>;
  expiresAt: number; // epoch ms, Infinity when the model has no expiry
}

/** The adapter interface oidc-provider calls (see its docs for `adapter`). */
export interface AdapterInstance {
  upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Record<string, unknown> | undefined>;
  findByUid(uid: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** One store shared by all models of one provider. */
export class MemoryStore {
  private readonly entries = new Map<string, Entry>();
  private readonly grants = new Map<string, Set<string>>();
  private readonly uids = new Map<string, string>();
  private readonly userCodes = new Map<string, string>();

  /** The factory to pass as oidc-provider's `adapter` option. */
  readonly factory = (model: string): AdapterInstance => this.adapterFor(model);

  /**
   * Entries of `model` that are stored, not consumed, not expired, and — for
   * tokens that expire with the session — whose session still exists.
   */
  countActive(model: string): number {
    let count = 0;
    for (const [key, entry] of [...this.entries]) {
      if (!key.startsWith(`${model}:`)) continue;
      if (this.expired(key, entry)) continue;
      const { consumed, expiresWithSession, sessionUid } = entry.payload;
      if (consumed) continue;
      if (expiresWithSession && typeof sessionUid === 'string' && !this.sessionExists(sessionUid)) continue;
      count += 1;
    }
    return count;
  }

  private sessionExists(uid: string): boolean {
    const id = this.uids.get(uid);
    return id !== undefined && this.get(`Session:${id}`) !== undefined;
  }

  private expired(key: string, entry: Entry): boolean {
    if (entry.expiresAt > Date.now()) return false;
    this.entries.delete(key);
    return true;
  }

  private get(key: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.expired(key, entry)) return undefined;
    return entry.payload;
  }

  private adapterFor(model: string): AdapterInstance {
    const key = (id: string) => `${model}:${id}`;
    return {
      upsert: async (id, payload, expiresIn) => {
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
        this.entries.set(key(id), { payload, expiresAt });
        if (typeof payload.grantId === 'string') {
          const members = this.grants.get(payload.grantId) ?? new Set<string>();
          members.add(key(id));
          this.grants.set(payload.grantId, members);
        }
        if (model === 'Session' && typeof payload.uid === 'string') this.uids.set(payload.uid, id);
        if (typeof payload.userCode === 'string') this.userCodes.set(payload.userCode, id);
      },
      find: async (id) => this.get(key(id)),
      findByUid: async (uid) => {
        const id = this.uids.get(uid);
        return id === undefined ? undefined : this.get(key(id));
      },
      findByUserCode: async (userCode) => {
        const id = this.userCodes.get(userCode);
        return id === undefined ? undefined : this.get(key(id));
      },
      consume: async (id) => {
        const payload = this.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.entries.delete(key(id));
      },
      revokeByGrantId: async (grantId) => {
        for (const member of this.grants.get(grantId) ?? []) this.entries.delete(member);
        this.grants.delete(grantId);
      },
    };
  }
}
