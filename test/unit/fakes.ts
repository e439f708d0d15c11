import type { Timers } from '../../src/lifecycle.ts';
import type { TabLink, TabMessage } from '../../src/tabs.ts';

/** A clock and timers that move only when the test says so. */
export class FakeClock implements Timers {
  now = Date.now();
  #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };

  /** How many timers are armed. */
  get pending(): number {
    return this.#timers.size;
  }

  /** When the next timer fires, or undefined. */
  get nextAt(): number | undefined {
    const times = [...this.#timers.values()].map((timer) => timer.at);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Moves the clock, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let due = this.#due(end);
      if (!due) {
        // Work still running (WebCrypto runs on real time) may arm a timer that is due: look once more.
        await settle();
        due = this.#due(end);
        if (!due) break;
      }
      this.#timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].callback();
      await settle();
    }
    this.now = end;
    await settle();
  }

  #due(end: number): [number, { at: number; callback: () => void }] | undefined {
    return [...this.#timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
  }

  /** Jumps the clock without firing timers (a laptop waking from sleep). */
  jump(ms: number): void {
    this.now += ms;
  }
}

/**
 * Lets pending work finish: promise chains, fake IndexedDB (macrotasks) and
 * WebCrypto (Node runs it on its thread pool, so it needs real time).
 */
export async function settle(rounds = 25): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < 5; j++) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The tabs of one origin: a shared lock and a channel between links. */
export function tabHub() {
  const links = new Set<Set<(message: TabMessage) => void>>();
  let chain: Promise<unknown> = Promise.resolve();
  const messages: TabMessage[] = [];
  let lockCount = 0;
  return {
    messages,
    get lockCount() {
      return lockCount;
    },
    open(): TabLink {
      const handlers = new Set<(message: TabMessage) => void>();
      links.add(handlers);
      let closed = false;
      return {
        withLock<T>(task: () => Promise<T>): Promise<T> {
          lockCount += 1;
          const run = chain.then(task, task);
          chain = run.catch(() => undefined);
          return run;
        },
        announce(message) {
          // As BroadcastChannel.postMessage does on a closed channel.
          if (closed) throw new DOMException('BroadcastChannel is closed', 'InvalidStateError');
          messages.push(message);
          for (const other of links) {
            if (other !== handlers) for (const handler of other) queueMicrotask(() => handler(message));
          }
        },
        listen(handler) {
          handlers.add(handler);
          return () => handlers.delete(handler);
        },
        close() {
          closed = true;
          links.delete(handlers);
        },
      };
    },
  };
}

/**
 * Lets pending work settle until `ready()` holds, or gives up after `rounds`
 * settles (then the caller's assertions say what is wrong). For states that a
 * busy machine reaches later, never for counting: what must not happen is
 * asserted after.
 */
export async function eventually(ready: () => boolean | Promise<boolean>, rounds = 80): Promise<void> {
  for (let i = 0; i < rounds && !(await ready()); i++) await settle(2);
}
