// What a newcomer needs to sign in to the demo, read from the database any time:
// `npm run server -- demo-info` (and the block `npm start` prints last, and again on Enter).
// The featured sign-ins (one per role), how many demo users there are in all, the password,
// how to get a TOTP code, the URLs and where the data lives.

import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { DEMO_PASSWORD, demoTotpSecret } from './demo';

/** One of each role, in the order a newcomer tries them. */
const FEATURED = ['rep.sh1.1', 'manager.sh', 'director.east', 'service.sh', 'it.admin', 'it.admin2', 'auditor'];

export interface DemoInfo {
  signIns: { username: string; role: string; displayName: string }[];
  /** Active users whose authenticator is the derivable demo one. */
  demoUsers: number;
  serverUrl: string;
  /** Whether GET /healthz answered at serverUrl just now. */
  serverUp: boolean;
  harnessUrl: string | null;
  /** The data directory (null on PostgreSQL). */
  dataDir: string | null;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function demoInfo(
  db: Kysely<Database>,
  where: { serverUrl: string; harnessUrl: string | null; dataDir: string | null },
): Promise<DemoInfo> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .select(['users.username', 'users.display_name', 'users.totp_secret', 'roles.name as role'])
    .where('users.status', '=', 'active')
    .execute();
  // Only demo users have a derivable secret (and the demo password); anyone else is not listed.
  const demo = rows.filter((r) => r.totp_secret !== null && r.totp_secret === demoTotpSecret(r.username));
  const byName = new Map(demo.map((r) => [r.username, r]));
  const signIns = FEATURED.flatMap((u) => {
    const r = byName.get(u);
    return r ? [{ username: r.username, role: r.role, displayName: r.display_name }] : [];
  });
  return { signIns, demoUsers: demo.length, ...where, serverUp: await answers(where.serverUrl) };
}

export function formatDemoInfo(info: DemoInfo): string {
  const lines: string[] = [];
  const rule = '─'.repeat(72);
  lines.push(rule);
  if (info.demoUsers === 0) {
    lines.push('This database holds no demo users (seed one with `npm run server -- seed`).');
  } else {
    lines.push(`Demo sign-ins — password for all: ${DEMO_PASSWORD}`);
    for (const s of info.signIns) lines.push(`  ${s.username.padEnd(16)} ${s.role.padEnd(18)} ${s.displayName}`);
    const more = info.demoUsers - info.signIns.length;
    if (more > 0) lines.push(`  … and ${more} more (rep.<branch><team>.<n>, manager.<branch>, service.<branch>, director.<region>)`);
    lines.push('  MFA code of a demo user:  npm run server -- totp <username>');
  }
  lines.push('');
  lines.push(`Server:   ${info.serverUrl}${info.serverUp ? '' : '  (not answering now — start it with `npm start`)'}`);
  if (info.harnessUrl) lines.push(`App:      ${info.harnessUrl}  (browser harness; open it in a browser on this machine)`);
  if (info.dataDir) lines.push(`Data:     ${info.dataDir}  (server.db; set SV_DATA_DIR or --data-dir for another)`);
  else lines.push('Data:     PostgreSQL (DATABASE_URL)');
  lines.push('Again:    press Enter in the `npm start` terminal, or run `npm run server -- demo-info`');
  lines.push(rule);
  return lines.join('\n');
}
