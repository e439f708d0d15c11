/**
 * What tabs of one origin tell each other. Never a token: the receiver re-reads
 * the sealed vault. @internal
 */
export type TabMessage =
  | { type: 'changed' }
  | { type: 'logout' }
  /** The refresh token of stored `version` was spent, and its successor is not stored yet. */
  | { type: 'spent'; version: string }
  /**
   * A login callback was handled in another window (a popup, a frame): `id`
   * names the login (a hash of its `state`), `ok` says whether it completed, and
   * if not, the error `code` and the server's `error`.
   */
  | { type: 'callback'; id: string; ok: boolean; code?: string; serverError?: string };

/**
 * The cross-tab link of one session: a lock so that one tab at a time refreshes,
 * and a channel to say the vault changed. @internal
 */
export interface TabLink {
  /** Runs `task` while holding the token-request lock of this session (issuer + client) in every tab. */
  withLock<T>(task: () => Promise<T>): Promise<T>;
  /** Tells the other tabs (not this one). */
  announce(message: TabMessage): void;
  /** Calls `handler` for each message from another tab; returns the unsubscribe function. */
  listen(handler: (message: TabMessage) => void): () => void;
  /** Closes the channel. */
  close(): void;
}

/** The platform parts a {@link TabLink} is built from; both may be missing. @internal */
export interface TabPlatform {
  locks: LockManager | undefined;
  BroadcastChannel: typeof BroadcastChannel | undefined;
}

function isTabMessage(value: unknown): value is TabMessage {
  const { type, version, id } = (value ?? {}) as { type?: unknown; version?: unknown; id?: unknown };
  return type === 'changed' || type === 'logout' || (type === 'spent' && typeof version === 'string') ||
    (type === 'callback' && typeof id === 'string');
}

/**
 * Builds the link on Web Locks and BroadcastChannel. Where Web Locks are missing
 * the lock is this tab's alone; where BroadcastChannel is missing other tabs
 * learn of changes only when they next read the vault (see the README).
 * @internal
 */
export function createTabLink(name: string, platform: TabPlatform): TabLink {
  // Unset once closed: a late announce (a refresh that lands after dispose()) must not throw on a closed channel.
  let channel = platform.BroadcastChannel ? new platform.BroadcastChannel(name) : undefined;
  let local: Promise<unknown> = Promise.resolve();
  return {
    withLock<T>(task: () => Promise<T>): Promise<T> {
      // An exclusive lock: the default mode.
      if (platform.locks) return platform.locks.request(`${name}:refresh`, task) as Promise<T>;
      const run = local.then(task, task);
      local = run.catch(() => undefined);
      return run;
    },
    announce(message) {
      channel?.postMessage(message);
    },
    listen(handler) {
      const listening = channel;
      const listener = (event: MessageEvent) => {
        if (isTabMessage(event.data)) handler(event.data);
      };
      listening?.addEventListener('message', listener);
      return () => listening?.removeEventListener('message', listener);
    },
    close() {
      channel?.close();
      channel = undefined;
    },
  };
}
