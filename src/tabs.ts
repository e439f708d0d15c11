/**
 * What tabs of one origin tell each other. Never a token: the receiver re-reads
 * the sealed vault. @internal
 */
export type TabMessage = { type: 'changed' } | { type: 'logout' };

/**
 * The cross-tab link of one session: a lock so that one tab at a time refreshes,
 * and a channel to say the vault changed. @internal
 */
export interface TabLink {
  /** Runs `task` while holding the refresh lock of this origin and client. */
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
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'changed' || type === 'logout';
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
  return {
    withLock<T>(task: () => Promise<T>): Promise<T> {
      if (platform.locks) return platform.locks.request(`${name}:refresh`, { mode: 'exclusive' }, task) as Promise<T>;
      const run = local.then(task, task);
      local = run.catch(() => undefined);
      return run;
    },
    announce(message) {
      channel?.postMessage(message);
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
      channel?.close();
    },
  };
}
