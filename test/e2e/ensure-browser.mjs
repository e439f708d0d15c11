#!/usr/bin/env node
// Makes sure a Chromium for the e2e tests exists: $LATCHKEY_CHROMIUM, the
// system's /usr/bin/chromium, or Playwright's own download. Otherwise installs
// one: Debian's package when root with apt-get, else `npx playwright install`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromiumExecutable } from './chromium.mjs';

async function playwrightChromiumPath() {
  try {
    const { chromium } = await import('@playwright/test');
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

async function found() {
  if (process.env.LATCHKEY_CHROMIUM) {
    if (existsSync(process.env.LATCHKEY_CHROMIUM)) return process.env.LATCHKEY_CHROMIUM;
    console.error(`ensure-browser: LATCHKEY_CHROMIUM=${process.env.LATCHKEY_CHROMIUM} does not exist`);
    process.exit(1);
  }
  return chromiumExecutable() ?? playwrightChromiumPath();
}

function run(command, args) {
  console.log(`ensure-browser: ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit' }).status === 0;
}

function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const existing = await found();
if (existing) {
  console.log(`ensure-browser: using ${existing}`);
  process.exit(0);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && hasCommand('apt-get')) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  console.log('ensure-browser: installing Debian chromium with apt-get');
  if (apt(['update']) && apt(['install', '-y', 'chromium']) && existsSync('/usr/bin/chromium')) {
    process.exit(0);
  }
}

if (run('npx', ['playwright', 'install', 'chromium']) && (await playwrightChromiumPath())) {
  process.exit(0);
}

console.error(
  'ensure-browser: no Chromium found and none could be installed.\n' +
    '  Install one (e.g. `apt-get install chromium`) or set LATCHKEY_CHROMIUM=/path/to/chromium.',
);
process.exit(1);
