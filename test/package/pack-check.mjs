// Packaging check: pack latchkey as npm would publish it, install the tarball into a
// scratch app, import it and type-check a consumer there, and run publint.
// Run after `npm run build`. Exits non-zero on the first failed check.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'latchkey-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let passed = 0;
let failed = 0;

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function check(name, fn) {
  try {
    fn();
    passed += 1;
    console.log(`  ✓ ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`  ✗ ${name}\n    ${String(error.stderr || error.stdout || error.message).trim().split('\n').join('\n    ')}`);
  }
}

try {
  const [packed] = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', scratch], root));
  const tarball = join(scratch, packed.filename);
  const files = packed.files.map((file) => file.path);

  check('the tarball holds dist/index.js, dist/index.d.ts, README.md and package.json only', () => {
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'package.json']) {
      if (!files.includes(needed)) throw new Error(`missing ${needed}`);
    }
    const stray = files.filter((file) => !file.startsWith('dist/') && !['README.md', 'package.json', 'LICENSE'].includes(file));
    if (stray.length) throw new Error(`unexpected files: ${stray.join(', ')}`);
  });

  check('package.json: ESM, exports with types, sideEffects false, only the two runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    if (pkg.type !== 'module') throw new Error('type must be module');
    if (pkg.exports['.'].import !== './dist/index.js' || pkg.exports['.'].types !== './dist/index.d.ts') throw new Error('exports["."]');
    if (pkg.sideEffects !== false) throw new Error('sideEffects must be false');
    const deps = Object.keys(pkg.dependencies ?? {}).sort().join(',');
    if (deps !== 'idb-keyval,oauth4webapi') throw new Error(`runtime dependencies: ${deps}`);
  });

  const app = join(scratch, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
  run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], app);

  check('a user can import latchkey in Node without a browser (nothing runs at import time)', () => {
    const script = `
      import { createSession, LatchkeyError, isLatchkeyError } from 'latchkey';
      if (typeof createSession !== 'function') throw new Error('createSession missing');
      try { createSession({ issuer: 'http://auth.example.com', clientId: 'x', redirectUri: 'https://a.example/' }); throw new Error('accepted http'); }
      catch (e) { if (!(e instanceof LatchkeyError) || !isLatchkeyError(e, 'invalid_config')) throw e; }
    `;
    run(process.execPath, ['--input-type=module', '-e', script], app);
  });

  check('a TypeScript consumer type-checks against the shipped types', () => {
    writeFileSync(join(app, 'consumer.ts'), `
      import { createSession, isLatchkeyError, type Session, type SessionSnapshot, type LatchkeyErrorCode } from 'latchkey';
      const session: Session = createSession({ issuer: 'https://auth.example.com', clientId: 'spa', redirectUri: 'https://app.example.com/' });
      const snapshot: SessionSnapshot = session.getSnapshot();
      const status: 'loading' | 'authenticated' | 'unauthenticated' = snapshot.status;
      const code: LatchkeyErrorCode | undefined = snapshot.error?.code;
      const f: typeof fetch = session.fetch;
      void session.login({ returnTo: '/', extraParams: { ui_locales: 'en' } });
      void session.handleRedirectCallback().then((r: { returnTo?: string }) => r.returnTo);
      void session.logout({ localOnly: true });
      if (isLatchkeyError(snapshot.error, 'network')) console.log(snapshot.error.code);
      // @ts-expect-error unknown options are rejected by the types
      createSession({ issuer: 'x', clientId: 'y', redirectUri: 'z', nope: 1 });
      export { status, code, f };
    `);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'DOM'], noEmit: true, skipLibCheck: false, types: [] },
      files: ['consumer.ts'],
    }));
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  });

  check('publint finds nothing to fix', () => {
    const out = run(process.execPath, [join(root, 'node_modules/publint/src/cli.js'), '--strict', root], root);
    if (/warning|error|suggestion/i.test(out.replace(/No issues found/i, ''))) throw new Error(out);
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`\npackage: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
