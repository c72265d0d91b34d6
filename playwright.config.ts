import { defineConfig } from '@playwright/test';

// End-to-end specs: the real renderer in Chromium, driven through the browser harness (the same
// main-side handlers as the Electron app, under Node), against ONE real permission server that
// the global setup starts, with a real SQLCipher vault and the real OS keychain per spec.
// Run them with `bash e2e/run.sh` (inside a D-Bus session with gnome-keyring, as npm test does).

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results/e2e',
  globalSetup: './e2e/support/global-setup.ts',
  // One worker: a 2-core machine, and specs share the one server (the offline spec stops it).
  workers: 1,
  fullyParallel: false,
  // A retry would enroll the same demo user again with a TOTP step it already used.
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  // The JSON report feeds the test command's closing tally (scripts/test-summary.mjs).
  reporter: [
    ['list'],
    ['json', { outputFile: 'test-results/playwright.json' }],
    ...(process.env.CI ? [['html', { open: 'never', outputFolder: 'playwright-report' }] as const] : []),
  ],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 720 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    screenshot: 'on',
    trace: 'retain-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: { executablePath: process.env.SV_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
  },
});
