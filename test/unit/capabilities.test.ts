/**
 * The optional capabilities on the harness: popup login, silent session checks,
 * silent renewal, authorization headers. The popup and the frame are fakes
 * (the environment's `openWindow` / `createFrame`); what runs "inside" them is a
 * second session created on the callback URL with the same store and tab hub,
 * exactly as the app's page would be in a real popup or iframe.
 */
import { describe, expect, it } from 'vitest';
import type { HiddenFrame, PopupWindow } from '../../src/env.ts';
import { checkSession, enableSilentRenew, getAuthorizationHeaders, isLatchkeyError, loginWithPopup } from '../../src/index.ts';
import { createSessionWith, type Session } from '../../src/session.ts';
import { createTestSession } from '../../src/testing/index.ts';
import { API, APP, ISSUER } from './fake-server.ts';
import { settle } from './fakes.ts';
import { harness } from './harness.ts';

type Harness = ReturnType<typeof harness>;

const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

/** A session in another window of the origin (the popup's or frame's page) at `url`. */
function windowAt(h: Harness, url: string, config: Record<string, unknown> = {}): Session {
  return createSessionWith(
    { issuer: ISSUER, clientId: 'spa', redirectUri: APP, apiOrigins: [API], storageName: h.storageName, ...config },
    { ...h.env, currentUrl: () => url, replaceUrl: () => undefined, navigate: () => undefined },
  );
}

/** A fake popup: records where it was sent; `closed` once the user or latchkey closed it. */
function fakePopups(h: Harness, options: { blocked?: boolean } = {}) {
  const opened: Array<PopupWindow & { hrefs: string[]; closedBy?: 'user' | 'latchkey'; userCloses(): void }> = [];
  h.env.openWindow = () => {
    if (options.blocked) return null;
    const popup = {
      hrefs: [] as string[],
      closedBy: undefined as 'user' | 'latchkey' | undefined,
      get closed() {
        return popup.closedBy !== undefined;
      },
      navigate(href: string) {
        popup.hrefs.push(href);
      },
      close() {
        popup.closedBy ??= 'latchkey';
      },
      userCloses() {
        popup.closedBy = 'user';
      },
    };
    opened.push(popup);
    return popup;
  };
  return opened;
}

/** Waits until `condition` holds, letting fake IndexedDB and WebCrypto work. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 40 && !condition(); i++) await settle(2);
  expect(condition()).toBe(true);
}

/**
 * Fake frames: each navigation is answered by the server (`answer`: a server
 * session or an `error`), then the app's page in the frame handles the callback;
 * `'silent'` never answers (the server refused to be framed).
 */
function fakeFrames(h: Harness, answer: () => { sub?: string; error?: string } | 'silent') {
  const frames: Array<{ hrefs: string[]; removed: boolean; pages: Session[] }> = [];
  h.env.createFrame = (): HiddenFrame => {
    const frame = { hrefs: [] as string[], removed: false, pages: [] as Session[] };
    frames.push(frame);
    return {
      navigate(href) {
        frame.hrefs.push(href);
        const result = answer();
        if (result === 'silent') return;
        frame.pages.push(windowAt(h, h.server.authorize(href, result)));
      },
      remove() {
        frame.removed = true;
        for (const page of frame.pages) page.dispose();
      },
    };
  };
  return frames;
}

describe('loginWithPopup', () => {
  it('opens the popup synchronously, logs in there, and this tab becomes authenticated without navigating', async () => {
    const events: string[] = [];
    const h = harness({ dpop: true, par: true }, { onEvent: (event) => events.push(`${event.type}${event.reason ? `:${event.reason}` : ''}`) });
    const popups = fakePopups(h);
    const opener = h.make();
    await opener.ready;
    const login = loginWithPopup(opener, { returnTo: '/after' });
    expect(popups).toHaveLength(1); // opened inside the call, before any await: still in the user's gesture
    await until(() => popups[0]!.hrefs.length === 1);
    const authorization = new URL(popups[0]!.hrefs[0]!);
    expect(authorization.origin + authorization.pathname).toBe(`${ISSUER}/auth`);
    const page = windowAt(h, h.server.authorize(popups[0]!.hrefs[0]!, { sub: 'bob' }));
    await login;
    expect(opener.getSnapshot()).toMatchObject({ status: 'authenticated', user: { sub: 'bob' }, error: null });
    expect(popups[0]!.closedBy).toBe('latchkey');
    expect(h.page.navigations).toEqual([]);
    expect(await opener.getAccessToken()).toMatch(/^at-/);
    expect(events).toContain('login_started');
    expect(events.at(-1)).toBe('logged_in:popup');
    page.dispose();
    opener.dispose();
  });

  it('a second call (a double click) takes the window over: the first rejects, the second logs in', async () => {
    const h = harness();
    const popups = fakePopups(h);
    // As the browser does for window.open with the same name: the second call gets the same window.
    const open = h.env.openWindow!;
    h.env.openWindow = (name, features) => popups[0] ?? open(name, features);
    const opener = h.make();
    await opener.ready;
    const first = caught(loginWithPopup(opener));
    const second = loginWithPopup(opener);
    expect(isLatchkeyError(await first, 'popup_closed')).toBe(true);
    expect(popups[0]!.closed).toBe(false);
    await until(() => popups[0]!.hrefs.length === 1);
    await settle(4);
    expect(popups[0]!.hrefs).toHaveLength(1); // the replaced login never sends the window anywhere
    const page = windowAt(h, h.server.authorize(popups[0]!.hrefs[0]!));
    await second;
    expect(opener.getSnapshot().status).toBe('authenticated');
    expect(popups[0]!.closedBy).toBe('latchkey');
    page.dispose();
    opener.dispose();
  });

  it('rejects with popup_blocked when the browser refuses the window, and starts no login', async () => {
    const h = harness();
    fakePopups(h, { blocked: true });
    const opener = h.make();
    await opener.ready;
    const error = await caught(loginWithPopup(opener));
    expect(isLatchkeyError(error, 'popup_blocked')).toBe(true);
    expect(h.server.requests).toHaveLength(0);
    expect(opener.getSnapshot().status).toBe('unauthenticated');
    opener.dispose();
  });

  it('rejects with popup_closed within a second of the user closing the popup', async () => {
    const h = harness();
    const popups = fakePopups(h);
    const opener = h.make();
    await opener.ready;
    const login = caught(loginWithPopup(opener));
    await until(() => popups[0]!.hrefs.length === 1);
    popups[0]!.userCloses();
    await h.clock.advance(1_000);
    const error = await login;
    expect(isLatchkeyError(error, 'popup_closed')).toBe(true);
    expect(opener.getSnapshot()).toMatchObject({ status: 'unauthenticated', error: null });
    opener.dispose();
  });

  it('rejects with the callback\'s own error (authorization_error with serverError) and closes the popup', async () => {
    const h = harness();
    const popups = fakePopups(h);
    const opener = h.make();
    await opener.ready;
    const login = caught(loginWithPopup(opener));
    await until(() => popups[0]!.hrefs.length === 1);
    const page = windowAt(h, h.server.authorize(popups[0]!.hrefs[0]!, { error: 'access_denied' }));
    const error = await login;
    expect(isLatchkeyError(error, 'authorization_error')).toBe(true);
    expect((error as { serverError?: string }).serverError).toBe('access_denied');
    expect(popups[0]!.closedBy).toBe('latchkey');
    expect(opener.getSnapshot()).toMatchObject({ status: 'unauthenticated', error: null });
    page.dispose();
    opener.dispose();
  });

  it('rejects with timeout after timeoutSeconds when nothing happens', async () => {
    const h = harness();
    const popups = fakePopups(h);
    const opener = h.make();
    await opener.ready;
    const login = caught(loginWithPopup(opener, { timeoutSeconds: 10 }));
    await until(() => popups[0]!.hrefs.length === 1);
    await h.clock.advance(9_000);
    expect(popups[0]!.closed).toBe(false);
    await h.clock.advance(1_000);
    expect(isLatchkeyError(await login, 'timeout')).toBe(true);
    expect(popups[0]!.closedBy).toBe('latchkey');
    opener.dispose();
  });
});

describe('checkSession', () => {
  it('true: the frame logs in with prompt=none and this tab becomes authenticated; the frame is removed', async () => {
    const h = harness({ dpop: true });
    const frames = fakeFrames(h, () => ({ sub: 'carol' }));
    const opener = h.make();
    await opener.ready;
    expect(await checkSession(opener)).toBe(true);
    expect(opener.getSnapshot()).toMatchObject({ status: 'authenticated', user: { sub: 'carol' } });
    expect(new URL(frames[0]!.hrefs[0]!).searchParams.get('prompt')).toBe('none');
    expect(frames[0]!.removed).toBe(true);
    expect(h.page.navigations).toEqual([]);
    opener.dispose();
  });

  it.each(['login_required', 'consent_required', 'interaction_required', 'account_selection_required'])(
    'false on %s, and the snapshot (its error included) stays as it was',
    async (serverError) => {
      const h = harness();
      fakeFrames(h, () => ({ error: serverError }));
      h.page.url = `${APP}?state=forged&code=x`; // leaves an invalid_callback error in the snapshot
      const opener = h.make();
      await opener.ready;
      const before = opener.getSnapshot();
      expect(before.error?.code).toBe('invalid_callback');
      expect(await checkSession(opener)).toBe(false);
      await settle(2);
      expect(opener.getSnapshot()).toBe(before);
      opener.dispose();
    },
  );

  it('rejects with another callback error as it is (access_denied)', async () => {
    const h = harness();
    fakeFrames(h, () => ({ error: 'access_denied' }));
    const opener = h.make();
    await opener.ready;
    const error = await caught(checkSession(opener));
    expect(isLatchkeyError(error, 'authorization_error')).toBe(true);
    opener.dispose();
  });

  it('a check that timed out before its login was ready never loads the frame', async () => {
    const h = harness();
    const frames = fakeFrames(h, () => ({}));
    // Discovery answers only when the test says so.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fetch = h.env.fetch;
    h.env.fetch = async (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes('openid-configuration')) await gate;
      return fetch(input, init);
    };
    const opener = h.make();
    await opener.ready;
    const check = caught(checkSession(opener, { timeoutSeconds: 2 }));
    await h.clock.advance(2_000);
    expect(isLatchkeyError(await check, 'timeout')).toBe(true);
    release();
    await settle(4);
    expect(frames[0]!.hrefs).toEqual([]);
    expect(frames[0]!.removed).toBe(true);
    opener.dispose();
  });

  it('rejects with timeout when the frame never answers, and removes the frame', async () => {
    const h = harness();
    const frames = fakeFrames(h, () => 'silent');
    const opener = h.make();
    await opener.ready;
    const check = caught(checkSession(opener, { timeoutSeconds: 5 }));
    await until(() => frames[0]?.hrefs.length === 1);
    await h.clock.advance(5_000);
    expect(isLatchkeyError(await check, 'timeout')).toBe(true);
    expect(frames[0]!.removed).toBe(true);
    expect(opener.getSnapshot()).toMatchObject({ status: 'unauthenticated', error: null });
    opener.dispose();
  });
});

/** Logs in with a server that issues no refresh token; returns the session. */
async function noRefreshTokenSession(h: Harness): Promise<Session> {
  h.server.tamper.token = ({ refresh_token: _drop, ...rest }) => Response.json(rest);
  const session = await h.logIn();
  expect(session.getSnapshot().status).toBe('authenticated');
  return session;
}

describe('enableSilentRenew', () => {
  it('renews through checkSession before expiry, so the session outlives its first token', async () => {
    const h = harness();
    const frames = fakeFrames(h, () => ({}));
    const session = await noRefreshTokenSession(h);
    const first = await session.getAccessToken();
    const stop = enableSilentRenew(session);
    await h.clock.advance(250_000); // past the renewal point (the later of 75 % and expiry − 60 s)
    await until(() => frames.length === 1 && frames[0]!.removed);
    expect(session.getSnapshot().status).toBe('authenticated');
    const second = await session.getAccessToken();
    expect(second).not.toBe(first);
    await h.clock.advance(250_000); // past the first token's expiry, and renewed again
    await until(() => frames.length === 2 && frames[1]!.removed);
    expect(session.getSnapshot().status).toBe('authenticated');
    stop();
    await h.clock.advance(400_000);
    expect(frames).toHaveLength(2);
    expect(session.getSnapshot().status).toBe('unauthenticated'); // without renewal it ends at expiry
    session.dispose();
  });

  it('a disposed session: nothing renews, and the wake-up listener is let go at the next wake-up', async () => {
    const h = harness();
    const frames = fakeFrames(h, () => ({}));
    let listening = 0;
    const onWake = h.env.onWake;
    h.env.onWake = (handler) => {
      listening += 1;
      const stop = onWake(handler);
      return () => {
        listening -= 1;
        return stop();
      };
    };
    const session = await noRefreshTokenSession(h);
    enableSilentRenew(session);
    expect(listening).toBe(2); // the session's and silent renewal's
    session.dispose();
    await h.clock.advance(400_000); // past the renewal point: its timer was armed before dispose()
    h.wake('focus');
    await settle(2);
    expect(frames).toHaveLength(0);
    expect(listening).toBe(0);
  });

  it('one tab renews for all: the others take the result from storage', async () => {
    const h = harness();
    const frames = fakeFrames(h, () => ({}));
    const first = await noRefreshTokenSession(h);
    const second = h.make();
    await second.ready;
    const stops = [enableSilentRenew(first), enableSilentRenew(second)];
    // Both tabs find the renewal due at the same moment (a wake-up): both ask for the lock.
    h.clock.jump(250_000);
    h.wake('visible');
    await until(() => frames.length >= 1 && frames.every((frame) => frame.removed));
    await settle(4);
    expect(frames).toHaveLength(1);
    expect(await first.getAccessToken()).toBe(await second.getAccessToken());
    for (const stop of stops) stop();
    first.dispose();
    second.dispose();
  });

  it('never runs for a session with a refresh token (it refreshes as usual)', async () => {
    const h = harness();
    const frames = fakeFrames(h, () => ({}));
    const session = await h.logIn();
    const stop = enableSilentRenew(session);
    await h.clock.advance(600_000);
    expect(frames).toHaveLength(0);
    expect(h.server.tokenRequests('refresh_token')).toBeGreaterThan(0);
    // Even while refreshing fails (the token stays due), it is not silent renewal's business.
    h.server.setTokenFault(503);
    await h.clock.advance(600_000);
    expect(frames).toHaveLength(0);
    stop();
    session.dispose();
  });

  it('when the server has no session any more, it stops trying and the session ends at expiry', async () => {
    const h = harness();
    const frames = fakeFrames(h, () => ({ error: 'login_required' }));
    const session = await noRefreshTokenSession(h);
    const stop = enableSilentRenew(session);
    await h.clock.advance(400_000);
    expect(frames).toHaveLength(1);
    expect(session.getSnapshot().status).toBe('unauthenticated');
    stop();
    session.dispose();
  });
});

describe('getAuthorizationHeaders', () => {
  it('Bearer: exactly the authorization header session.fetch sends', async () => {
    const h = harness();
    const session = await h.logIn();
    const headers = await getAuthorizationHeaders(session, `${API}/items?x=1`);
    await session.fetch(`${API}/items?x=1`);
    expect(headers).toEqual({ authorization: h.server.requests.at(-1)!.headers.get('authorization') });
    expect(headers.authorization).toMatch(/^Bearer at-/);
    session.dispose();
  });

  it('DPoP: the token and a fresh proof per call, bound to the method and URL, as session.fetch makes it', async () => {
    const h = harness({ dpop: true });
    const session = await h.logIn();
    const first = await getAuthorizationHeaders(session, `${API}/items?x=1#f`, 'post');
    const second = await getAuthorizationHeaders(session, `${API}/items?x=1#f`, 'POST');
    await session.fetch(`${API}/items?x=1`, { method: 'POST' });
    const sent = h.server.requests.at(-1)!;
    expect(Object.keys(first).sort()).toEqual(['authorization', 'dpop']);
    expect(first.authorization).toBe(sent.headers.get('authorization'));
    expect(first.authorization).toMatch(/^DPoP at-/);
    const proof = h.server.decodeProof(first.dpop!);
    const fetched = h.server.decodeProof(sent.headers.get('dpop')!);
    expect(proof.payload).toMatchObject({ htm: 'POST', htu: `${API}/items`, ath: fetched.payload.ath });
    expect(proof.header).toEqual(fetched.header);
    expect(h.server.decodeProof(second.dpop!).payload.jti).not.toBe(proof.payload.jti);
    const get = h.server.decodeProof((await getAuthorizationHeaders(session, `${API}/other`)).dpop!);
    expect(get.payload).toMatchObject({ htm: 'GET', htu: `${API}/other` });
    // Nothing was sent for the headers themselves.
    expect(h.server.requests.filter((request) => request.url.origin === API)).toHaveLength(1);
    session.dispose();
  });

  it.each([false, true])('a per-API origin gets its own token, never the main one (DPoP %s)', async (dpop) => {
    const billing = 'https://billing.example.com';
    const h = harness({ dpop }, { apiOrigins: [API, { origin: billing, resource: `${billing}/`, scope: 'billing:read' }] });
    const session = await h.logIn();
    const headers = await getAuthorizationHeaders(session, `${billing}/invoices`, 'PUT');
    expect(headers.authorization).toBe(`${dpop ? 'DPoP' : 'Bearer'} ${await session.getAccessToken({ api: billing })}`);
    expect(headers.authorization).not.toContain(await session.getAccessToken());
    if (dpop) expect(h.server.decodeProof(headers.dpop!).payload).toMatchObject({ htm: 'PUT', htu: `${billing}/invoices` });
    expect((await getAuthorizationHeaders(session, `${API}/me`)).authorization).toContain(await session.getAccessToken());
    session.dispose();
  });

  it('an API that demands DPoP nonces: once session.fetch learned the nonce, the headers carry it', async () => {
    const h = harness({ dpop: true, apiNonce: true });
    const session = await h.logIn();
    const send = async (headers: Record<string, string>) => (await h.server.fetch(`${API}/items`, { headers })).status;
    expect(await send(await getAuthorizationHeaders(session, `${API}/items`))).toBe(401); // use_dpop_nonce
    expect((await session.fetch(`${API}/items`)).status).toBe(200); // answers the challenge, learns the nonce
    const headers = await getAuthorizationHeaders(session, `${API}/items`);
    expect(h.server.decodeProof(headers.dpop!).payload.nonce).toBe('server-nonce-1');
    expect(await send(headers)).toBe(200);
    session.dispose();
  });

  it('origin_not_allowed outside apiOrigins (exact origin), login_required without a session', async () => {
    const h = harness();
    const session = await h.logIn();
    for (const url of ['https://evil.example.com/x', 'http://api.example.com/x', 'https://api.example.com:8443/x', 'https://user@api.example.com/x']) {
      expect(isLatchkeyError(await caught(getAuthorizationHeaders(session, url)), 'origin_not_allowed')).toBe(true);
    }
    await session.logout({ localOnly: true });
    expect(isLatchkeyError(await caught(getAuthorizationHeaders(session, `${API}/x`)), 'login_required')).toBe(true);
    session.dispose();
  });

  it('invalid_config for a session not made by createSession (a test session) or a disposed one', async () => {
    const test = createTestSession({ status: 'authenticated' });
    for (const run of [
      () => getAuthorizationHeaders(test, `${API}/x`),
      () => checkSession(test),
      () => loginWithPopup(test),
      async () => enableSilentRenew(test),
    ]) {
      expect(isLatchkeyError(await caught(run()), 'invalid_config')).toBe(true);
    }
    const h = harness();
    const session = h.make();
    session.dispose();
    expect(isLatchkeyError(await caught(getAuthorizationHeaders(session, `${API}/x`)), 'invalid_config')).toBe(true);
  });
});
