/**
 * Playwright configuration for latchkey's end-to-end tests: Chromium only, one
 * worker (the machines have 2 cores), the embedded servers started per worker by
 * the `stack` fixture in fixtures.ts.
 */
import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

const systemChromium = '/usr/bin/chromium';
const executablePath =
  process.env.LATCHKEY_CHROMIUM ?? (existsSync(systemChromium) ? systemChromium : undefined);

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  outputDir: '../../test-results',
  use: {
    // Traces and videos would store request headers and token responses on
    // disk; no token is ever written anywhere. Use `--trace on` locally if needed.
    trace: 'off',
    video: 'off',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          ...(executablePath ? { executablePath } : {}),
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--no-first-run',
            // Nothing outside the loopback interface exists here; fail such
            // look-ups at once (oidc-provider's pages @import a web font).
            '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
          ],
        },
      },
    },
  ],
});
