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
  const message = value as { type?: unknown; version?: unknown } | null;
  return message?.type === 'changed' || message?.type === 'logout' ||
    (message?.type === 'spent' && typeof message.version === 'string') ||
    (message?.type === 'callback' && typeof (message as { id?: unknown }).id === 'string');
}

/**
 * Builds the link on Web Locks and BroadcastChannel. Where Web Locks are missing
 * the lock is this tab's alone; where BroadcastChannel is missing other tabs
 * learn of changes only when they next read the vault (see the README).
 * @internal
 */
export function createTabLink(name: string, platform: TabPlatform): TabLink {
  const channel = platform.BroadcastChannel ? new platform.BroadcastChannel(name) : undefined;
  let local: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    withLock<T>(task: () => Promise<T>): Promise<T> {
      if (platform.locks) return platform.locks.request(`${name}:refresh`, { mode: 'exclusive' }, task) as Promise<T>;
      const run = local.then(task, task);
      local = run.catch(() => undefined);
      return run;
    },
    announce(message) {
      // A late announce (a refresh that lands after dispose()) must not throw on a closed channel.
      if (!closed) channel?.postMessage(message);
    },
    listen(handler) {
      if (!channel) return () => undefined;
      const listener = (event: MessageEvent) => {
        if (isTabMessage(event.data)) handler(event.data);
      };
      channel.addEventListener('message', listener);
      return () => channel.removeEventListener('message', listener);
    },
    close() {
      closed = true;
      channel?.close();
    },
  };
}
