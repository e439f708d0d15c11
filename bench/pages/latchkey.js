// latchkey bench page for the per-call cost, the login round trip and the
// refresh economy. The runner sets `window.BENCH_OPTIONS` (session overrides)
// before the page loads.
import { createSession } from 'latchkey';
import { config, redirectUri } from '../apps/shared.js';

const LOGIN_START = 'bench-login-start';
const options = window.BENCH_OPTIONS ?? {};
const session = createSession({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri,
  apiOrigins: [config.apiOrigin],
  postLogoutRedirectUri: redirectUri,
  ...options.session,
});
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const bench = (window.__bench = {
  login() {
    sessionStorage.setItem(LOGIN_START, String(now()));
    return session.login();
  },
  logoutLocally: () => session.logout({ localOnly: true }),

  /** One authorized call to the real API (token checked there) and one to /public. */
  async check() {
    const me = await session.fetch(`${config.apiOrigin}/api/me`);
    const echo = await session.fetch(`${config.apiOrigin}/public`);
    return { status: me.status, me: await me.json(), authorization: (await echo.json()).authorization?.split(' ')[0] };
  },

  /**
   * `n` rounds of three calls to the same endpoint, in an order that rotates
   * every round, after `warmup` rounds: plain fetch; fetch carrying the very
   * headers session.fetch sent (captured from one of its calls, replayed as is:
   * the endpoint ignores them), which isolates what the headers cost on the wire
   * (CORS preflight-cache lookup, bytes); and session.fetch. Each time covers
   * the whole call, body read included. For session.fetch it also returns the
   * time spent inside it but outside the network call it makes (window.fetch is
   * wrapped to time that call): latchkey's own cost, free of network noise.
   * All in ms.
   */
  async perCall(n, warmup) {
    const url = `${config.apiOrigin}/public`;
    const realFetch = globalThis.fetch;
    let inNetwork = 0;
    let sentHeaders;
    globalThis.fetch = async (input, init) => {
      const start = performance.now();
      try {
        return await realFetch(input, init);
      } finally {
        inNetwork += performance.now() - start;
        sentHeaders ??= Object.fromEntries(
          [...new Request(input, init).headers].filter(([name]) => name === 'authorization' || name === 'dpop'),
        );
      }
    };
    try {
      const ownMs = [];
      const calls = {
        plain: async () => (await realFetch(url)).arrayBuffer(),
        headers: async () => (await realFetch(url, { headers: sentHeaders })).arrayBuffer(),
        session: async () => {
          inNetwork = 0;
          const start = performance.now();
          const response = await session.fetch(url);
          ownMs.push(performance.now() - start - inNetwork);
          return response.arrayBuffer();
        },
      };
      const order = ['session', 'plain', 'headers'];
      const times = { plain: [], headers: [], session: [] };
      for (let i = 0; i < warmup + n; i += 1) {
        if (i === warmup) ownMs.length = 0;
        for (let k = 0; k < 3; k += 1) {
          const name = order[(i + k) % 3];
          const start = performance.now();
          await calls[name]();
          if (i >= warmup) times[name].push(performance.now() - start);
        }
      }
      return { ...times, own: ownMs, sentHeaders: Object.keys(sentHeaders), isolated: crossOriginIsolated };
    } finally {
      globalThis.fetch = realFetch;
    }
  },

  /** Calls the API every `intervalMs` for `durationMs`; counts the outcomes. */
  async busy(durationMs, intervalMs) {
    const counts = {};
    const deadline = performance.now() + durationMs;
    while (performance.now() < deadline) {
      let outcome;
      try {
        outcome = String((await session.fetch(`${config.apiOrigin}/api/me`)).status);
      } catch (error) {
        outcome = error?.code ?? String(error);
      }
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      await sleep(intervalMs);
    }
    return { counts, status: session.getSnapshot().status, error: session.getSnapshot().error?.code ?? null };
  },
});

session.ready.then(() => {
  const { status, error } = session.getSnapshot();
  const started = Number(sessionStorage.getItem(LOGIN_START));
  sessionStorage.removeItem(LOGIN_START);
  bench.result = {
    status,
    error: error?.code ?? null,
    ready: performance.now(),
    ...(started && status === 'authenticated' ? { loginMs: now() - started } : {}),
  };
});
