// The applications pack-check.mjs installs latchkey into: their sources and configs,
// written for the entries that were built. Each is what a user of that module system
// or test runner would write; the typed ones follow the public contract.

/** The optional capabilities (second release): free functions of the core entry. */
export const capabilities = ['loginWithPopup', 'checkSession', 'enableSilentRenew', 'getAuthorizationHeaders'];

/** What each entry must export at run time (functions and classes); the capabilities are checked apart. */
export const entryExports = {
  latchkey: ['createSession', 'LatchkeyError', 'isLatchkeyError'],
  'latchkey/react': ['SessionProvider', 'useSession', 'RequireAuth'],
  'latchkey/vue': ['createLatchkey', 'useSession', 'createAuthGuard'],
  'latchkey/testing': ['createTestSession'],
};

const config = `{
  issuer: 'https://auth.example.com',
  clientId: 'spa',
  redirectUri: 'https://app.example.com/callback',
  apiOrigins: ['https://api.example.com'],
}`;

const compilerOptions = {
  strict: true,
  target: 'ES2022',
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  noEmit: true,
  skipLibCheck: false,
  types: [],
};

/** The typed consumer, in ES module syntax (no top-level await, so CommonJS output works too). */
function typedConsumer(built) {
  const parts = [`
import { createSession, isLatchkeyError, LatchkeyError } from 'latchkey';
import type {
  IdTokenClaims, LatchkeyErrorCode, LatchkeyErrorOptions, LoginOptions, LogoutOptions,
  Session, SessionConfig, SessionSnapshot,
} from 'latchkey';

type User = { sub: string; email: string };

const config: SessionConfig = {
  issuer: 'https://auth.example.com',
  clientId: 'spa',
  redirectUri: 'https://app.example.com/callback',
  scope: 'openid profile email offline_access',
  apiOrigins: [
    'https://api.example.com',
    { origin: 'https://billing.example.com', resource: 'https://billing.example.com', scope: 'billing:read', params: { audience: 'billing' } },
  ],
  postLogoutRedirectUri: 'https://app.example.com/',
  resource: ['https://api.example.com'],
  dpop: true,
  refreshLeewaySeconds: 60,
  storageName: 'latchkey',
  onEvent: (event) => { const at: number = event.at; const type: string = event.type; void at; void type; },
};

// Typed user: createSession<User>() types snapshot.user; the default is IdTokenClaims.
export const session: Session<User> = createSession<User>(config);
export const email: string | undefined = session.getSnapshot().user?.email;
const standard = createSession(config);
export const snapshot: SessionSnapshot = standard.getSnapshot();
export const claims: IdTokenClaims | null = standard.getSnapshot().user;
export const name: string | undefined = claims?.name;
export const subject: string | undefined = claims?.sub;
// @ts-expect-error a user type must have a string sub
createSession<{ email: string }>(config);
// @ts-expect-error unknown options are rejected by the types
createSession({ issuer: 'https://a.example', clientId: 'spa', redirectUri: 'https://b.example/', nope: 1 });

export const status: 'loading' | 'authenticated' | 'unauthenticated' = snapshot.status;
export const expiresAt: number | null = snapshot.expiresAt;

// Errors: one class, a closed union of codes.
export const codes: LatchkeyErrorCode[] = [
  'invalid_config', 'login_required', 'invalid_callback', 'authorization_error', 'network',
  'server_error', 'storage_unavailable', 'popup_blocked', 'popup_closed', 'timeout',
  'origin_not_allowed', 'unsupported_environment',
];
// @ts-expect-error not a latchkey error code
export const notACode: LatchkeyErrorCode = 'no_such_code';
const errorOptions: LatchkeyErrorOptions = { cause: new Error('cause'), serverError: 'access_denied', serverErrorDescription: 'no' };
export const error = new LatchkeyError('authorization_error', 'denied', errorOptions);
export function codeOf(value: unknown): LatchkeyErrorCode | undefined {
  if (isLatchkeyError(value)) return value.code;
  if (value instanceof LatchkeyError) return value.code;
  return undefined;
}
export const serverError: string | undefined = snapshot.error?.serverError;

const login: LoginOptions = { returnTo: '/orders?page=2', prompt: 'login', loginHint: 'a@example.com', extraParams: { ui_locales: 'en' } };
const logout: LogoutOptions = { returnTo: '/', localOnly: true };

export async function use(): Promise<void> {
  await session.ready;
  const unsubscribe: () => void = session.subscribe(() => {});
  await session.login(login);
  const { returnTo }: { returnTo?: string } = await session.handleRedirectCallback();
  const token: string = await session.getAccessToken();
  const billing: string = await session.getAccessToken({ api: 'https://billing.example.com' });
  const authorizedFetch: typeof fetch = session.fetch;
  const response: Response = await authorizedFetch('https://api.example.com/me', { method: 'GET' });
  await session.logout(logout);
  void [unsubscribe, returnTo, token, billing, response];
  session.dispose();
}
`];
  if (built.includes('latchkey/react')) parts.push(`
import { createElement, type ReactNode } from 'react';
import { SessionProvider, useSession, RequireAuth } from 'latchkey/react';

export function Profile(): ReactNode {
  const { status: current, user, expiresAt: until, error: failure, session: own } = useSession();
  const sub: string | undefined = user?.sub;
  const s: Session<{ sub: string }> = own;
  void [until, failure, sub, s];
  return createElement('p', null, current);
}
// The provider takes a session of any user type, an interface included.
interface Member { sub: string; email: string }
export const memberApp = createElement(SessionProvider, { session: createSession<Member>(config), children: null });
export const app = createElement(SessionProvider, {
  session: standard,
  onRedirectCallback: ({ returnTo }: { returnTo?: string }) => { void returnTo; },
  children: createElement(RequireAuth, { fallback: createElement('p', null, 'Loading…'), loginOptions: { prompt: 'login' }, children: createElement(Profile) }),
});
`);
  if (built.includes('latchkey/vue')) parts.push(`
import { createLatchkey, useSession as useVueSession, createAuthGuard } from 'latchkey/vue';
export const plugin = createLatchkey(standard);
export const guard = createAuthGuard(standard);
export const typedPlugin = createLatchkey(session);
export function setup() {
  const state = useVueSession();
  return { state };
}
`);
  if (built.includes('latchkey/testing')) parts.push(`
import { createTestSession } from 'latchkey/testing';
const fake = createTestSession({ status: 'authenticated', user: { sub: 'alice' } });
fake.set({ status: 'unauthenticated', user: null });
export const asSession: Session = fake;
export const fakeStatus: 'loading' | 'authenticated' | 'unauthenticated' = fake.getSnapshot().status;
`);
  return parts.join('');
}

/** The second release's optional capabilities, typed. */
const capabilitiesConsumer = `
import { createSession, loginWithPopup, checkSession, enableSilentRenew, getAuthorizationHeaders, type SessionConfig } from 'latchkey';

const config: SessionConfig = {
  issuer: 'https://auth.example.com',
  clientId: 'spa',
  redirectUri: 'https://app.example.com/callback',
  apiOrigins: ['https://api.example.com'],
};
// An interface (no index signature): the capabilities must take a Session of any user type.
interface User { sub: string; email: string }
const session = createSession<User>(config);

export async function use(): Promise<void> {
  await loginWithPopup(session, { returnTo: '/', prompt: 'login', timeoutSeconds: 300 });
  const signedIn: boolean = await checkSession(session, { timeoutSeconds: 10 });
  const stop: () => void = enableSilentRenew(session);
  const headers: Record<string, string> = await getAuthorizationHeaders(session, 'https://api.example.com/orders', 'POST');
  void [signedIn, stop, headers];
}
`;

/** In Node: every capability is exported and rejects with unsupported_environment. */
const capabilitiesRuntime = `
import * as latchkey from 'latchkey';
const missing = ${JSON.stringify(capabilities)}.filter((name) => typeof latchkey[name] !== 'function');
if (missing.length) throw new Error('latchkey lacks ' + missing.join(', '));
const session = latchkey.createSession(${config});
const calls = {
  loginWithPopup: () => latchkey.loginWithPopup(session),
  checkSession: () => latchkey.checkSession(session),
  getAuthorizationHeaders: () => latchkey.getAuthorizationHeaders(session, 'https://api.example.com/me', 'GET'),
};
for (const [name, call] of Object.entries(calls)) {
  const outcome = await Promise.resolve().then(call).then(() => 'resolved', (e) => e?.code ?? String(e));
  if (outcome !== 'unsupported_environment') throw new Error(name + ' in Node: ' + outcome);
}
`;

/** A CommonJS file under TypeScript's node16 rules: the ESM-only package through import(). */
function node16CommonJsConsumer(built) {
  const lines = [`
import type { Session, SessionConfig } from 'latchkey' with { 'resolution-mode': 'import' };

// @ts-expect-error TS1479: under node16, CommonJS may not import an ES module statically.
import { createSession as notHere } from 'latchkey';
void notHere;

export async function start(config: SessionConfig): Promise<Session<{ sub: string; email: string }>> {
  const { createSession, isLatchkeyError } = await import('latchkey');
  void isLatchkeyError;
  const session = createSession<{ sub: string; email: string }>(config);
  const email: string | undefined = session.getSnapshot().user?.email;
  void email;
  return session;
}
`];
  for (const spec of built.filter((s) => s !== 'latchkey')) {
    lines.push(`export const load_${spec.split('/')[1]} = () => import('${spec}');\n`);
  }
  return lines.join('');
}

/**
 * @param {{ built: string[] }} options the specifiers ('latchkey', 'latchkey/react', …) that were built
 */
export function consumers({ built }) {
  const entries = built.join(', ');
  const typed = typedConsumer(built);
  const expected = Object.fromEntries(built.map((spec) => [spec, entryExports[spec] ?? []]));

  const nodeEsm = `
const expected = ${JSON.stringify(expected)};
const problems = [];
for (const [spec, names] of Object.entries(expected)) {
  const module = await import(spec);
  const missing = names.filter((name) => typeof module[name] !== 'function');
  if (missing.length) problems.push(spec + ' lacks ' + missing.join(', '));
}
if (problems.length) throw new Error(problems.join('\\n'));
const { createSession, LatchkeyError, isLatchkeyError } = await import('latchkey');
try {
  createSession({ issuer: 'http://auth.example.com', clientId: 'x', redirectUri: 'https://a.example/' });
  throw new Error('accepted an http issuer');
} catch (e) {
  if (!(e instanceof LatchkeyError) || !isLatchkeyError(e, 'invalid_config')) throw e;
}
if (expected['latchkey/testing']) {
  const { createTestSession } = await import('latchkey/testing');
  const fake = createTestSession({ status: 'authenticated', user: { sub: 'alice' } });
  let calls = 0;
  fake.subscribe(() => { calls += 1; });
  if (fake.getSnapshot().user?.sub !== 'alice') throw new Error('createTestSession ignored its initial snapshot');
  fake.set({ status: 'unauthenticated', user: null });
  if (fake.getSnapshot().status !== 'unauthenticated' || calls !== 1) throw new Error('set() did not update and notify');
}
`;

  const nodeSsr = `
import * as latchkey from 'latchkey';
const session = latchkey.createSession(${config});
const expected = JSON.stringify({ status: 'loading', user: null, expiresAt: null, error: null });
if (JSON.stringify(session.getSnapshot()) !== expected) throw new Error('snapshot in Node: ' + JSON.stringify(session.getSnapshot()));
const late = setTimeout(() => { console.error('ready did not resolve at once'); process.exit(1); }, 2000);
await session.ready;
clearTimeout(late);
if (JSON.stringify(session.getSnapshot()) !== expected) throw new Error('snapshot after ready: ' + JSON.stringify(session.getSnapshot()));
const calls = {
  login: () => session.login(),
  logout: () => session.logout(),
  getAccessToken: () => session.getAccessToken(),
  fetch: () => session.fetch('https://api.example.com/me'),
};
for (const [name, call] of Object.entries(calls)) {
  const outcome = await Promise.resolve().then(call).then(() => 'resolved', (e) => e?.code ?? String(e));
  if (outcome !== 'unsupported_environment') throw new Error(name + ' in Node: ' + outcome);
}
// No dispose(): the process must end by itself.
`;

  const nodeCjs = `
const assert = require('node:assert');
const expected = ${JSON.stringify(expected)};
const problems = [];
for (const [spec, names] of Object.entries(expected)) {
  const module = require(spec);
  const missing = names.filter((name) => typeof module[name] !== 'function');
  if (missing.length) problems.push(spec + ' lacks ' + missing.join(', '));
}
if (problems.length) throw new Error(problems.join('\\n'));
const { createSession, isLatchkeyError } = require('latchkey');
assert.throws(() => createSession({ issuer: 'http://auth.example.com', clientId: 'x', redirectUri: 'https://a.example/' }), (e) => isLatchkeyError(e, 'invalid_config'));
assert.strictEqual(require('latchkey/package.json').name, 'latchkey');
`;

  const typescript = [
    { name: 'bundler', dir: 'ts-bundler', type: 'module', options: { module: 'ESNext', moduleResolution: 'Bundler' }, source: typed },
    { name: 'node16 (ESM package)', dir: 'ts-node16-esm', type: 'module', options: { module: 'Node16', moduleResolution: 'Node16' }, source: typed },
    { name: 'node16 (CommonJS package, import())', dir: 'ts-node16-cjs', type: 'commonjs', options: { module: 'Node16', moduleResolution: 'Node16' }, source: node16CommonJsConsumer(built) },
    { name: 'nodenext (ESM package)', dir: 'ts-nodenext-esm', type: 'module', options: { module: 'NodeNext', moduleResolution: 'NodeNext' }, source: typed },
    { name: 'nodenext (CommonJS package, require(esm))', dir: 'ts-nodenext-cjs', type: 'commonjs', options: { module: 'NodeNext', moduleResolution: 'NodeNext' }, source: typed },
    { name: 'node10 (CommonJS, typesVersions)', dir: 'ts-node10', type: 'commonjs', options: { module: 'CommonJS', moduleResolution: 'Node10' }, source: typed },
  ].map((mode) => ({
    ...mode,
    entries,
    files: {
      'package.json': { name: mode.dir, private: true, type: mode.type },
      'tsconfig.json': { compilerOptions: { ...compilerOptions, ...mode.options }, files: ['consumer.ts'] },
      'consumer.ts': mode.source,
    },
  }));

  const runtimeTest = (syntax) => `
${syntax === 'esm' ? "import { createSession, isLatchkeyError } from 'latchkey';" : "const { createSession, isLatchkeyError } = require('latchkey');"}
${built.includes('latchkey/testing') ? (syntax === 'esm' ? "import { createTestSession } from 'latchkey/testing';" : "const { createTestSession } = require('latchkey/testing');") : ''}

test('latchkey loads and creates a session', () => {
  const session = createSession(${config});
  expect(session.getSnapshot().status).toBe('loading');
  session.dispose();
  expect(() => createSession({ issuer: 'http://auth.example.com', clientId: 'x', redirectUri: 'https://a.example/' }))
    .toThrow(expect.objectContaining({ code: 'invalid_config' }));
  expect(isLatchkeyError(new Error('x'))).toBe(false);
});
${built.includes('latchkey/testing') ? `
test('latchkey/testing gives a session in any state', () => {
  const session = createTestSession({ status: 'authenticated', user: { sub: 'alice' } });
  expect(session.getSnapshot().user.sub).toBe('alice');
  session.set({ status: 'unauthenticated', user: null });
  expect(session.getSnapshot().status).toBe('unauthenticated');
});` : ''}
`;

  const jestEsm = {
    'package.json': { name: 'jest-esm', private: true, type: 'module' },
    // Native ES modules: no transform; run jest with node --experimental-vm-modules.
    'jest.config.js': "export default { testEnvironment: 'node', transform: {} };\n",
    'latchkey.test.js': runtimeTest('esm'),
  };

  const jestCjs = {
    'package.json': { name: 'jest-cjs', private: true, type: 'commonjs' },
    // CommonJS tests (Jest's default): babel-jest turns latchkey and its two ESM-only
    // dependencies into CommonJS; everything else in node_modules stays untransformed.
    'jest.config.cjs': `module.exports = {
  testEnvironment: 'node',
  transform: { '\\\\.[cm]?js$': 'babel-jest' },
  transformIgnorePatterns: ['/node_modules/(?!(latchkey|oauth4webapi|idb-keyval)/)'],
};
`,
    'babel.config.cjs': "module.exports = { plugins: ['@babel/plugin-transform-modules-commonjs'] };\n",
    'latchkey.test.js': runtimeTest('cjs'),
  };

  const vitest = {
    'package.json': { name: 'vitest-app', private: true, type: 'module' },
    'vitest.config.js': `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { environment: 'happy-dom', setupFiles: ['./setup.js'] } });
`,
    // IndexedDB for happy-dom (jsdom neither has it). A local setup file: Vitest 4 did
    // not load the bare 'fake-indexeddb/auto' from a project in a subfolder.
    'setup.js': "import 'fake-indexeddb/auto';\n",
    'latchkey.test.js': `
import { expect, test } from 'vitest';
import { createSession } from 'latchkey';
${built.includes('latchkey/testing') ? "import { createTestSession } from 'latchkey/testing';" : ''}

test('a session in happy-dom with fake-indexeddb reaches ready, signed out', async () => {
  const session = createSession(${config});
  await session.ready;
  expect(session.getSnapshot()).toMatchObject({ status: 'unauthenticated', user: null, error: null });
  session.dispose();
});
${built.includes('latchkey/testing') ? `
test('latchkey/testing', () => {
  const session = createTestSession({ status: 'authenticated', user: { sub: 'alice' } });
  expect(session.getSnapshot().user?.sub).toBe('alice');
});` : ''}
`,
  };

  const capabilityChecks = {
    runtime: capabilitiesRuntime,
    typescript: {
      'package.json': { name: 'ts-capabilities', private: true, type: 'module' },
      'tsconfig.json': { compilerOptions: { ...compilerOptions, module: 'ESNext', moduleResolution: 'Bundler' }, files: ['consumer.ts'] },
      'consumer.ts': capabilitiesConsumer,
    },
  };

  // A bundler: one Vite build per app file, so each bundle shows what its imports cost.
  const bundler = {
    'package.json': { name: 'bundler-app', private: true, type: 'module' },
    'vite.config.js': `export default {
  logLevel: 'warn',
  build: { outDir: 'out/' + process.env.APP, emptyOutDir: true, minify: true, modulePreload: false, rollupOptions: { input: process.env.APP + '.js' } },
};
`,
    'guard.js': "import { isLatchkeyError } from 'latchkey';\nconsole.log(isLatchkeyError(globalThis.error));\n",
    'core.js': "import { createSession } from 'latchkey';\nconsole.log(createSession);\n",
    'everything.js': `${built.map((spec, index) => `import * as entry${index} from '${spec}';`).join('\n')}\nconsole.log(${built.map((_, index) => `entry${index}`).join(', ')});\n`,
    'capabilities.js': `import { createSession, ${capabilities.join(', ')} } from 'latchkey';\nconsole.log(createSession, ${capabilities.join(', ')});\n`,
  };

  return { nodeEsm, nodeSsr, nodeCjs, typescript, jestEsm, jestCjs, vitest, bundler, capabilities: capabilityChecks };
}
