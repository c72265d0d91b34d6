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

function importedName(line: string): string {
  if (line.startsWith('import type')) return '0';
  const m = /^import (?:\{ (\w+) \}|(\w+)) from/.exec(line);
  return m?.[1] ?? m?.[2] ?? '0';
}
