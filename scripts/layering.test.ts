// The layering of the codebase is enforced by ESLint (eslint.config.js). These tests lint
// small snippets as if they lived in each layer, so a loosened rule fails here.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering rules', () => {
  const cases: { layer: string; file: string; refused: string[]; allowed: string[] }[] = [
    {
      layer: 'renderer',
      file: 'renderer/features/x.tsx',
      refused: ["import fs from 'node:fs';", "import { ipcRenderer } from 'electron';", "import keytar from 'keytar';", "import { Vault } from '../../electron/core/vault/vault';"],
      allowed: ["import { useState } from 'react';", "import type { DesktopApi } from '../../shared/api/desktop-api';"],
    },
    {
      layer: 'shared',
      file: 'shared/domain/x.ts',
      refused: ["import fs from 'node:fs';", "import path from 'path';", "import { app } from 'electron';", "import { useState } from 'react';", "import Database from 'better-sqlite3-multiple-ciphers';"],
      allowed: ["import { z } from 'zod';"],
    },
    {
      layer: 'client core',
      file: 'electron/core/x.ts',
      refused: ["import { app } from 'electron';", "import { buildServer } from '../../server/app';"],
      allowed: ["import fs from 'node:fs';", "import keytar from 'keytar';"],
    },
    {
      layer: 'electron main',
      file: 'electron/main/x.ts',
      refused: ["import { createRoot } from 'react-dom/client';", "import { App } from '../../renderer/app/App';", "import { buildServer } from '../../server/app';", "import { startHarness } from '../harness/harness';"],
      allowed: ["import { app } from 'electron';", "import { createAppService } from '../core/app-service';", "import type { DesktopApi } from '../../shared/api/desktop-api';", "import path from 'node:path';"],
    },
    {
      layer: 'electron preload',
      file: 'electron/preload/x.ts',
      refused: ["import fs from 'node:fs';", "import path from 'path';", "import { createAppService } from '../core/app-service';", "import { isTrustedSender } from '../main/security';", "import keytar from 'keytar';"],
      allowed: ["import { contextBridge } from 'electron';", "import { IPC_CALL_CHANNEL } from '../../shared/api/ipc-channels';"],
    },
    {
      layer: 'server',
      file: 'server/x.ts',
      refused: ["import { app } from 'electron';", "import { Vault } from '../electron/core/vault/vault';"],
      allowed: ["import fs from 'node:fs';"],
    },
  ];

  for (const c of cases) {
    for (const line of c.refused) {
      it(`${c.layer} may not: ${line}`, async () => {
        expect(await restrictedImports(c.file, `${line}\nexport const used = [${importedName(line)}];\n`)).not.toEqual([]);
      });
    }
    for (const line of c.allowed) {
      it(`${c.layer} may: ${line}`, async () => {
        expect(await restrictedImports(c.file, `${line}\nexport const used = [${importedName(line)}];\n`)).toEqual([]);
      });
    }
  }
});

describe('production code never imports test support', () => {
  async function testSupportImports(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'local/no-test-support-import').map((m) => m.message);
  }
  const refused: { file: string; line: string }[] = [
    { file: 'electron/core/x.ts', line: "import { startRealServer } from '../../test/support/real-server';" },
    { file: 'electron/core/sync/x.ts', line: "import { grantFor } from '../../../test/support/vault';" },
    { file: 'electron/core/x.ts', line: "export { page } from '../../test/support/vault';" },
    { file: 'server/sync/x.ts', line: "import { withTestDatabase } from '../test/db';" },
    { file: 'server/alerts/x.ts', line: "import { kit } from './alert-test-kit';" },
    { file: 'server/sync/x.ts', line: "import { kit } from './sync.test-support';" },
    { file: 'renderer/app/x.tsx', line: "import { helper } from '../features/customers/list.test';" },
    { file: 'shared/domain/x.ts', line: "import { kit } from './test-support/kit';" },
  ];
  for (const c of refused) {
    it(`${c.file} may not: ${c.line}`, async () => {
      expect(await testSupportImports(c.file, `${c.line}\nexport const used = [${importedName(c.line)}];\n`)).not.toEqual([]);
    });
  }
  const allowed: { file: string; line: string }[] = [
    // tests and test support themselves may
    { file: 'electron/core/sync/x.test.ts', line: "import { startRealServer } from '../../../test/support/real-server';" },
    { file: 'test/support/x.ts', line: "import { withTestDatabase } from '../../server/test/db';" },
    // production imports of production code are untouched (a name containing "test" is not test support)
    { file: 'electron/core/x.ts', line: "import { cryptoShred } from './wipe';" },
    { file: 'server/x.ts', line: "import { latest } from './attestation';" },
  ];
  for (const c of allowed) {
    it(`${c.file} may: ${c.line}`, async () => {
      expect(await testSupportImports(c.file, `${c.line}\nexport const used = [${importedName(c.line)}];\n`)).toEqual([]);
    });
  }
});

function importedName(line: string): string {
  if (line.startsWith('import type')) return '0';
  const m = /^(?:import|export) (?:\{ (\w+) \}|(\w+)) from/.exec(line);
  return m?.[1] ?? m?.[2] ?? '0';
}
