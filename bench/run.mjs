#!/usr/bin/env node
/**
 * `npm run bench` (from the repository root): latchkey measured side by side
 * with the SDKs users would pick instead. See bench/README.md.
 *
 * This file prepares what the bench needs and then runs lib/main.mjs under tsx
 * (the bench loads the embedded server from demo/server/*.ts):
 * - the root's dev dependencies (oidc-provider, jose, vite, tsx): installed with
 *   `npm ci` only when the root has no node_modules at all (a clean clone);
 * - dist/index.js: built with `npm run build` when it is missing or older than
 *   a file in src/ (the bench measures the current source). LATCHKEY_DIST
 *   points the bench at another build instead.
 * Arguments pass through: `npm run bench -- size` runs only the size part
 * (parts: size, timings, refresh; default all), `--quick` fewer repetitions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = resolve(benchDir, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  return result.status === 0;
}

if (!existsSync(join(benchDir, 'node_modules/esbuild'))) {
  console.error('bench: installing bench/ dependencies (npm ci in bench/)');
  if (!run(npm, ['ci', '--no-audit', '--no-fund'], benchDir)) process.exit(1);
}
if (!existsSync(join(rootDir, 'node_modules'))) {
  console.error('bench: the repository has no node_modules; running npm ci in the root');
  if (!run(npm, ['ci', '--no-audit', '--no-fund'], rootDir)) process.exit(1);
}

if (!process.env.LATCHKEY_DIST) {
  const dist = join(rootDir, 'dist/index.js');
  const newestSource = Math.max(
    ...readdirSync(join(rootDir, 'src')).map((name) => statSync(join(rootDir, 'src', name)).mtimeMs),
  );
  if (!existsSync(dist) || statSync(dist).mtimeMs < newestSource) {
    console.error(`bench: ${existsSync(dist) ? 'dist/index.js is older than src/' : 'no dist/index.js'}; running npm run build`);
    run(npm, ['run', 'build', '--silent'], rootDir);
    if (!existsSync(dist) || statSync(dist).mtimeMs < newestSource) {
      console.error('bench: npm run build did not produce a current dist/index.js');
      process.exit(1);
    }
  }
}

const main = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, 'lib/main.mjs'), ...process.argv.slice(2)], {
  cwd: rootDir,
  stdio: 'inherit',
});
process.exit(main.status ?? 1);
