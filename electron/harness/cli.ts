// BROWSER HARNESS CLI — a development and test tool, not part of the shipped app.
// Starts the harness (the app service over local HTTP + the built renderer) on 127.0.0.1.
//
//   npx tsx electron/harness/cli.ts [--port 5174] [--data .data/harness] [--server http://127.0.0.1:8787]
//                                   [--renderer dist/renderer] [--vite-dev] [--keychain-service NAME]

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KeytarSecretStore } from '../core/keychain';
import { startHarness } from './harness';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5174' },
    data: { type: 'string', default: '.data/harness' },
    server: { type: 'string', default: 'http://127.0.0.1:8787' },
    renderer: { type: 'string', default: 'dist/renderer' },
    'vite-dev': { type: 'boolean', default: false },
    'keychain-service': { type: 'string', default: 'SalesVault Harness (development)' },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}

const harness = await startHarness({
  port,
  dataDir: resolve(values.data),
  secrets: new KeytarSecretStore(values['keychain-service']),
  serverUrl: values.server,
  rendererDir: resolve(values.renderer),
  viteDev: values['vite-dev'],
  appVersion: 'harness',
});
console.log(`SalesVault browser harness (development and test tool) at ${harness.url}`);
console.log(`  vault and settings in ${resolve(values.data)}; server ${values.server}`);

const shutdown = () => {
  void harness.close().finally(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
