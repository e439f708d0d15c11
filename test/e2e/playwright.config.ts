/**
 * Playwright configuration for latchkey's end-to-end tests: Chromium only, one
 * worker (the machines have 2 cores), the embedded servers started per worker by
 * the `stack` fixture in fixtures.ts.
 */
import { defineConfig, devices } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from './chromium.mjs';

const executablePath = chromiumExecutable();

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
          args: chromiumArgs,
        },
      },
    },
  ],
});
