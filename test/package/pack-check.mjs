// Packaging check: pack latchkey as npm would publish it, install the tarball into one
// scratch app, and use it there the way applications do — Node ESM and require(),
// TypeScript under every moduleResolution mode, Jest and Vitest — then run publint and
// arethetypeswrong. Run after `npm run build`. Prints one line per check and
// "package: N passed, N failed"; exits non-zero when any check failed.
//
// Every entry of package.json `exports` is checked: an entry whose built files are
// missing fails, and the consumers use every entry that was built. Tools (TypeScript,
// Jest, Vitest, React's types, …) come from this repo's node_modules: the scratch app
// links them, so nothing is downloaded but the tarball's own dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { capabilities, consumers } from './consumers.mjs';

const root = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'latchkey-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
let passed = 0;
let failed = 0;

/** Runs a command; a timeout (default 60 s) counts as a failure, not a hang. */
function run(command, args, cwd, options = {}) {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeout ?? 60_000,
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
  });
}

function check(name, fn) {
  try {
    fn();
    passed += 1;
    console.log(`  ✓ ${name}`);
  } catch (error) {
    failed += 1;
    const output = [error.stdout, error.stderr].filter(Boolean).join('\n').trim();
    const timedOut = error.signal === 'SIGTERM' ? 'timed out (the process did not exit)\n' : '';
    const text = `${timedOut}${output || error.message}`.split('\n').slice(0, 40).join('\n    ');
    console.log(`  ✗ ${name}\n    ${text}`);
  }
}

/** Writes files given as { 'relative/path': text } under dir. */
function write(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof text === 'string' ? text : `${JSON.stringify(text, null, 2)}\n`);
  }
}

// The entries package.json promises: "." and every subpath except ./package.json.
const entries = Object.keys(pkg.exports ?? {}).filter((key) => key !== './package.json');
const specifier = (entry) => (entry === '.' ? 'latchkey' : `latchkey/${entry.slice(2)}`);

try {
  const [packed] = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', scratch], root));
  const tarball = join(scratch, packed.filename);
  const files = new Set(packed.files.map((file) => file.path));
  const target = (path) => path.replace(/^\.\//, '');
  const built = entries.filter((entry) => {
    const conditions = pkg.exports[entry];
    const code = conditions?.default ?? conditions?.import ?? '';
    return typeof conditions === 'object' && files.has(target(code)) && files.has(target(conditions.types ?? ''));
  });

  check(`every entry in exports is built and packed (${entries.map(specifier).join(', ')})`, () => {
    const missing = entries.filter((entry) => !built.includes(entry));
    if (missing.length) {
      throw new Error(missing.map((entry) => `${specifier(entry)}: ${JSON.stringify(pkg.exports[entry])} has no file in the tarball`).join('\n'));
    }
  });

  check('the tarball holds dist/, README.md, CHANGELOG.md, LICENSE and package.json only', () => {
    for (const needed of ['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json']) {
      if (!files.has(needed)) throw new Error(`missing ${needed}`);
    }
    const stray = [...files].filter((file) => !file.startsWith('dist/') && !['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json'].includes(file));
    if (stray.length) throw new Error(`unexpected files: ${stray.join(', ')}`);
    if (!/^MIT License\n\nCopyright \(c\) 2026 the latchkey authors\n/.test(readFileSync(join(root, 'LICENSE'), 'utf8'))) throw new Error('LICENSE is not the MIT text with our copyright line');
  });

  check('package.json: ESM, every entry with types + default, typesVersions, sideEffects false, deps, optional peers, engines, metadata', () => {
    const problems = [];
    if (pkg.type !== 'module') problems.push('type must be "module"');
    if (pkg.sideEffects !== false) problems.push('sideEffects must be false');
    for (const entry of entries) {
      const conditions = pkg.exports[entry];
      const dir = entry === '.' ? '' : `${entry.slice(2)}/`;
      const expected = { types: `./dist/${dir}index.d.ts`, default: `./dist/${dir}index.js` };
      if (JSON.stringify(conditions) !== JSON.stringify(expected)) problems.push(`exports["${entry}"] must be ${JSON.stringify(expected)} (types first, then default)`);
      if (entry !== '.' && JSON.stringify(pkg.typesVersions?.['*']?.[entry.slice(2)]) !== JSON.stringify([expected.types])) {
        problems.push(`typesVersions["*"]["${entry.slice(2)}"] must be ["${expected.types}"] (TypeScript's node10 resolution)`);
      }
    }
    for (const entry of ['.', './react', './vue', './testing']) if (!entries.includes(entry)) problems.push(`exports lacks "${entry}"`);
    if (pkg.types !== './dist/index.d.ts' || pkg.main !== './dist/index.js') problems.push('main/types must name the core entry');
    const deps = Object.keys(pkg.dependencies ?? {}).sort().join(',');
    if (deps !== 'idb-keyval,oauth4webapi') problems.push(`runtime dependencies: ${deps}`);
    for (const peer of ['react', 'vue']) {
      if (!pkg.peerDependencies?.[peer] || pkg.peerDependenciesMeta?.[peer]?.optional !== true) problems.push(`${peer} must be an optional peer dependency`);
    }
    if (pkg.peerDependencies?.react && !/^(>=\s*18|\^18)/.test(pkg.peerDependencies.react)) problems.push('react peer must allow 18 and later');
    if (pkg.engines?.node !== '^20.19.0 || >=22.12.0') problems.push('engines.node must be "^20.19.0 || >=22.12.0" (require(esm) unflagged)');
    for (const field of ['repository', 'homepage', 'bugs', 'license']) if (!pkg[field]) problems.push(`missing ${field}`);
    if (!['dist', 'README.md', 'CHANGELOG.md', 'LICENSE'].every((file) => pkg.files?.includes(file))) problems.push('files must list dist, README.md, CHANGELOG.md, LICENSE');
    if (problems.length) throw new Error(problems.join('\n'));
  });

  // One scratch app for every consumer below.
  const app = join(scratch, 'app');
  write(app, { 'package.json': { name: 'scratch-app', private: true, type: 'module' } });
  // fake-indexeddb is installed for real (at the repo's version): Vitest loads setup
  // files through Vite, which serves no file outside the app.
  const fakeIndexedDb = JSON.parse(readFileSync(join(root, 'node_modules/fake-indexeddb/package.json'), 'utf8')).version;
  run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, `fake-indexeddb@${fakeIndexedDb}`], app, { timeout: 180_000 });
  // Tools and peers from this repo, linked (Node and TypeScript follow the link to the
  // real path, so their own dependencies resolve in the repo). Never run npm in the app
  // after this: it would prune through the links and delete the repo's own packages.
  for (const name of ['jest', 'vitest', 'vite', 'happy-dom', 'react', '@types/react', 'vue', '@babel/plugin-transform-modules-commonjs']) {
    const from = join(root, 'node_modules', name);
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
    symlinkSync(from, join(app, 'node_modules', name), 'dir');
  }

  const suite = consumers({ built: built.map(specifier) });

  check('Node ESM: import of every entry gives the contract exports; nothing runs at import time', () => {
    write(app, { 'esm.mjs': suite.nodeEsm });
    run(process.execPath, ['esm.mjs'], app);
  });

  check('Node ESM: createSession outside the browser keeps no process alive, snapshot loading, rejects with unsupported_environment', () => {
    write(app, { 'ssr.mjs': suite.nodeSsr });
    run(process.execPath, ['ssr.mjs'], app, { timeout: 15_000 });
  });

  check('Node CommonJS: require() of every entry (require(esm), Node 20.19+/22.12+)', () => {
    write(app, { 'cjs.cjs': suite.nodeCjs });
    run(process.execPath, ['cjs.cjs'], app);
  });

  for (const mode of suite.typescript) {
    check(`TypeScript ${mode.name}: a consumer of ${mode.entries} type-checks`, () => {
      write(join(app, mode.dir), mode.files);
      run(process.execPath, [tsc, '-p', join(app, mode.dir)], app);
    });
  }

  check(`the optional capabilities (${capabilities.join(', ')}) are exported and reject with unsupported_environment in Node`, () => {
    write(app, { 'capabilities.mjs': suite.capabilities.runtime });
    run(process.execPath, ['capabilities.mjs'], app, { timeout: 15_000 });
  });

  check('TypeScript bundler: the optional capabilities type-check, called with a session whose user type is an interface', () => {
    write(join(app, 'ts-capabilities'), suite.capabilities.typescript);
    run(process.execPath, [tsc, '-p', join(app, 'ts-capabilities')], app);
  });

  check('Jest (ESM tests, node --experimental-vm-modules, no transform) imports latchkey', () => {
    write(join(app, 'jest-esm'), suite.jestEsm);
    run(process.execPath, ['--experimental-vm-modules', join(app, 'node_modules/jest/bin/jest.js'), '--ci'], join(app, 'jest-esm'));
  });

  check('Jest (CommonJS tests, babel-jest transforming latchkey via transformIgnorePatterns) requires latchkey', () => {
    write(join(app, 'jest-cjs'), suite.jestCjs);
    run(process.execPath, [join(app, 'node_modules/jest/bin/jest.js'), '--ci'], join(app, 'jest-cjs'));
  });

  check('Vitest (happy-dom + fake-indexeddb) imports latchkey and reaches ready', () => {
    write(join(app, 'vitest'), suite.vitest);
    run(process.execPath, [join(app, 'node_modules/vitest/vitest.mjs'), 'run'], join(app, 'vitest'), { timeout: 90_000 });
  });

  check('Vite bundles every entry; an app that imports only isLatchkeyError ships under 1 KB of it; unused capabilities are left out', () => {
    const dir = join(app, 'bundler');
    write(dir, suite.bundler);
    const vite = join(app, 'node_modules/vite/bin/vite.js');
    const size = (name) => {
      run(process.execPath, [vite, 'build'], dir, { env: { APP: name } });
      const out = join(dir, 'out', name, 'assets');
      return readdirSync(out).filter((file) => file.endsWith('.js')).reduce((sum, file) => sum + statSync(join(out, file)).size, 0);
    };
    const guard = size('guard');
    if (guard > 1024) throw new Error(`isLatchkeyError alone bundles to ${guard} bytes: tree-shaking failed`);
    size('everything');
    const core = size('core');
    // (Once the capabilities exist; until then the capabilities check above fails.)
    const exported = readFileSync(join(app, 'node_modules/latchkey/dist/index.d.ts'), 'utf8').includes('loginWithPopup');
    const withCapabilities = exported ? size('capabilities') : undefined;
    if (withCapabilities !== undefined && withCapabilities <= core) {
      throw new Error(`createSession alone: ${core} bytes; with the capabilities: ${withCapabilities} bytes: the capabilities are not tree-shaken`);
    }
  });

  check('npm run docs: TypeDoc documents every built entry under its import name, without a warning; README "## API" lists every export', () => {
    const json = join(scratch, 'docs.json');
    run(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', join(scratch, 'docs'), '--json', json], root, { timeout: 120_000 });
    const modules = JSON.parse(readFileSync(json, 'utf8')).children;
    const documented = modules.map((module) => module.name);
    const missing = built.map(specifier).filter((spec) => !documented.includes(spec));
    if (missing.length) throw new Error(`not documented: ${missing.join(', ')} (documented: ${documented.join(', ')})`);
    // The README's "## API" lists every export of every entry, one line each.
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const api = readme.slice(readme.indexOf('\n## API'), readme.indexOf('\n## ', readme.indexOf('\n## API') + 1));
    const section = (name) => {
      const start = api.indexOf(`**\`${name}\`**`);
      if (start < 0) return '';
      const end = api.indexOf('\n**`', start + 1);
      return api.slice(start, end < 0 ? undefined : end);
    };
    const unlisted = modules.flatMap((module) => (module.children ?? [])
      .filter((child) => !new RegExp(`\\b${child.name}\\b`).test(section(module.name)))
      .map((child) => `${module.name}: ${child.name}`));
    if (unlisted.length) throw new Error(`README "## API" does not list: ${unlisted.join(', ')}`);
  });

  check('publint --strict finds nothing to fix', () => {
    const out = run(process.execPath, [join(root, 'node_modules/publint/src/cli.js'), '--strict', root], root);
    if (/warning|error|suggestion/i.test(out.replace(/No issues found/i, ''))) throw new Error(out);
  });

  check('arethetypeswrong: no problem under node10, node16-ESM, bundler (ESM-only in node16-CJS is by design)', () => {
    // The one rule ignored: "cjs-resolves-to-esm" — a CommonJS file compiled with
    // TypeScript's node16 module setting may not import an ES module statically. That is
    // what ESM-only means; such code uses `await import('latchkey')`, and nodenext (TS 5.8+)
    // allows the static import because Node 20.19+ can require() ES modules.
    run(process.execPath, [join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js'), '--pack', root, '--format', 'ascii', '--ignore-rules', 'cjs-resolves-to-esm'], root, { timeout: 120_000 });
  });
} finally {
  if (process.env.LATCHKEY_PACK_KEEP) console.log(`scratch app kept in ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

console.log(`\npackage: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
