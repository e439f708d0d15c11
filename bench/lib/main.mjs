/**
 * The bench itself (run.mjs starts it under tsx): measures, prints the
 * markdown report and writes bench/RESULTS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { benchDir } from './bundle.mjs';
import { buildPages, launchChromium, RUNNABLE_APPS, startServers } from './browser.mjs';
import { checkApps } from './apps-check.mjs';
import { CAPABILITY_SIZE_ENTRIES, measureSizes, REACT_SIZE_ENTRIES, SIZE_ENTRIES } from './size.mjs';
import { measureLogin, measurePerCall, measureRestore } from './timings.mjs';
import { measureRefresh } from './refresh.mjs';
import { environment, renderReport } from './report.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const parts = args.filter((arg) => !arg.startsWith('--'));
const wanted = (part) => parts.length === 0 || parts.includes(part);
const unknown = parts.filter((part) => !['size', 'timings', 'refresh'].includes(part));
if (unknown.length) {
  console.error(`bench: unknown part ${unknown.join(', ')} (parts: size, timings, refresh)`);
  process.exit(2);
}

/** Repetitions. `--quick` is for trying the bench out, not for figures to quote. */
export const PLAN = quick
  ? { restore: { runs: 10, warmup: 2 }, perCall: { runs: 200, warmup: 30 }, login: { runs: 3, warmup: 1 },
      refresh: { accessTokenTtl: 10, windowMs: 12_000, intervalMs: 200, tabs: [1, 3, 10] } }
  : { restore: { runs: 60, warmup: 5 }, perCall: { runs: 800, warmup: 100 }, login: { runs: 10, warmup: 2 },
      refresh: { accessTokenTtl: 10, windowMs: 20_000, intervalMs: 200, tabs: [1, 3, 10] } };

const started = Date.now();
const loadAtStart = os.loadavg();
const log = (message) => console.error(`bench [${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);
const results = { plan: PLAN, quick };

// A hard bound on the whole run, whatever hangs.
const watchdog = setTimeout(() => {
  console.error('bench: gave up after 10 minutes');
  process.exit(1);
}, 10 * 60_000);
watchdog.unref();

if (wanted('size')) {
  log('1/3 bundle size');
  results.sizes = await measureSizes();
  log('1/3 bundle size: React apps');
  results.reactSizes = await measureSizes(REACT_SIZE_ENTRIES);
  log('1/3 bundle size: latchkey with each optional capability');
  results.capabilitySizes = await measureSizes([SIZE_ENTRIES[0], ...CAPABILITY_SIZE_ENTRIES]);
}

// The browser parts: the size apps run end to end, the timings, the refresh economy.
{
  log('building the bench pages');
  await buildPages();
  const browser = await launchChromium();
  results.chromium = browser.version();
  try {
    if (wanted('size') || wanted('timings')) {
      const stack = await startServers({ accessTokenTtl: 300 });
      try {
        if (wanted('size')) {
          log(`1/3 running the size apps end to end: ${RUNNABLE_APPS.join(', ')}`);
          results.appsRun = await checkApps(browser, stack, RUNNABLE_APPS);
          const failed = Object.entries(results.appsRun).filter(([, outcome]) => !outcome.ok);
          if (failed.length) throw new Error(`size apps that do not work: ${JSON.stringify(Object.fromEntries(failed))}`);
        }
        if (wanted('timings')) {
          log('2/3 restore on reload: latchkey and oidc-client-ts, taking turns');
          results.restore = await measureRestore(browser, stack, ['latchkey', 'oidc-client-ts'], PLAN.restore);
          log('2/3 per-call cost: Bearer');
          results.perCall = [await measurePerCall(browser, stack, { dpop: false, ...PLAN.perCall })];
          log('2/3 per-call cost: DPoP');
          results.perCall.push(await measurePerCall(browser, stack, { dpop: true, ...PLAN.perCall }));
          log('2/3 login round trip');
          results.login = await measureLogin(browser, stack, PLAN.login);
        }
      } finally {
        await stack.close();
      }
    }
    if (wanted('refresh')) {
      const { accessTokenTtl, windowMs, intervalMs, tabs } = PLAN.refresh;
      const stack = await startServers({ accessTokenTtl });
      try {
        results.refresh = [];
        for (const sdk of ['latchkey', 'oidc-client-ts']) {
          for (const count of tabs) {
            log(`3/3 refresh economy: ${sdk}, ${count} tab${count > 1 ? 's' : ''} for ${windowMs / 1000} s`);
            results.refresh.push(await measureRefresh(browser, stack, sdk, count, { windowMs, intervalMs, accessTokenTtl }));
          }
        }
      } finally {
        await stack.close();
      }
    }
  } finally {
    await browser.close();
  }
}

results.environment = await environment(results.chromium, loadAtStart);
results.durationS = (Date.now() - started) / 1000;
mkdirSync(resolve(benchDir, '.out'), { recursive: true });
const report = renderReport(results);
console.log(report);
const complete = wanted('size') && wanted('timings') && wanted('refresh') && !quick;
const target = resolve(benchDir, complete ? 'RESULTS.md' : '.out/RESULTS.partial.md');
writeFileSync(target, report);
writeFileSync(resolve(benchDir, '.out/results.json'), JSON.stringify(results, null, 2));
log(`done; report written to ${target}${complete ? '' : ' (a partial or --quick run does not replace bench/RESULTS.md)'}`);
