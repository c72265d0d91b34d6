// The IT command line: `npm run server -- <command> [options]`.
// Storage: the SQLite file chosen by --data FILE, --data-dir DIR, SV_DATA_DIR or the checkout's
// .data/server.db (server/data-dir.ts), or PostgreSQL when the DATABASE_URL environment variable
// is set.

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { DEFAULT_ROLE_IDS } from '../shared/permissions/default-roles';
import { EXPOSURE_FORMATS, EXPOSURE_LANGS, type ExposureFormat, type ExposureLang } from '../shared/protocol/exposure';
import { resetMfa, revokeAllDevices, signOutEverywhere, unlockUser } from './admin/account-actions';
import { createUser, deactivateUser, revokeDevice, type Actor } from './admin/service';
import { buildServer, createServerContext } from './app';
import { verifyChain, type ChainVerification } from './audit/chain';
import { AnchorInvalidError, checkpointHead } from './audit/checkpoints';
import { deviceIncident, formatIncident, userIncident } from './audit/incident';
import type { Dialect, ServerContext } from './context';
import { assertServerDatabase, NoServerDatabaseError, serverDataLocation, type DataLocation } from './data-dir';
import { migrateToLatest, openDatabase, type OpenedDatabase } from './db/connection';
import type { Database } from './db/schema';
import { MIN_VERSION_USAGE, MinVersionUsageError, runMinVersionCommand } from './devices/min-version-cli';
import { DomainError } from './domain-error';
import { exposureReport } from './exposure/report';
import { renderExposure } from './exposure/render';
import { newTotpSecret, otpauthUri } from './identity/totp';
import { applyDueCampaigns } from './reviews/deadlines';
import { createCampaign as createReviewCampaign } from './reviews/service';
import { demoInfo, formatDemoInfo } from './seed/demo-info';
import { demoTotpSecret, formatDemoSummary, seedDemo, totpFor } from './seed/demo';
import { IDENTITY_COMMANDS, IDENTITY_USAGE, IdentityUsageError, runIdentityCommand } from './sso/cli';

const USAGE = `usage: npm run server -- <command> [options]

commands:
  start [--port 8787] [--host 127.0.0.1] [--tls-cert cert.pem --tls-key key.pem]
                                 run the server (HTTPS when a certificate is given)
  migrate                        apply pending database migrations
  seed [--customers 1000] [--seed 2026]
                                 create the demo organisation and print its sign-ins
  create-admin --username U --password P [--display-name N]
                                 create an IT admin and print the TOTP enrollment URI
  revoke-device <device-id>      revoke a device (it wipes itself at next contact)
  exposure <device-id> [--format json|csv|pdf] [--lang en|zh-CN] [--out FILE]
                                 what the device's vault held at its last acknowledged sync
                                 (record ids, customer names, field names by level; no values),
                                 written to FILE or stdout
  deactivate-user <username>     deactivate a user and revoke all their devices
  unlock-user <username>         clear the account's sign-in locks
  reset-mfa <username>           forget the account's authenticator (set up again at next sign-in)
  sign-out-everywhere <username> sign the user out on every device (each erases its data)
  revoke-all-devices <username>  revoke every active device of the user
  audit-verify [--anchor FILE]   verify the audit hash chain against its signed checkpoints; exit 1
                                 naming the first edited entry or the missing tail. When it passes,
                                 sign a new checkpoint of the head and print it; with --anchor, also
                                 check every checkpoint kept in FILE and append the new one to it
                                 (keep FILE outside the database's reach: it survives the deletion
                                 of the newest entries together with their checkpoints)
  incident user <username>       a person's timeline: enrolments, sign-ins, syncs, scope changes,
  incident device <device-id>    alerts, revocation, wipe confirmation (newest first)
  totp <username>                current TOTP code of a demo user
  demo-info [--server-url URL] [--harness-url URL]
                                 the demo sign-ins, the URLs and the data directory (what
                                 \`npm start\` prints when it is up)
  alerts                         list open anomaly alerts, newest first
  review-create --name N [--due-days 14] [--stale-days 30] [--due-action keep|revoke] [--reminder-days 3]
                                 open an access-review campaign (one item per active user); at the
                                 due date undecided items are kept or revoked (--due-action)
  review-apply-due               send due reminders and close the campaigns past their due date now
                                 (the server also does this on a timer)
${MIN_VERSION_USAGE}

options for every command (ignored when DATABASE_URL is set):
  --data-dir DIR                 the data directory: DIR/server.db (also SV_DATA_DIR=DIR;
                                 default: .data in the checkout, where \`npm start\` keeps it)
  --data FILE                    the SQLite file itself
Only migrate, seed and create-admin create a database; every other command (start included)
refuses a path that holds none.

environment: SV_LOG_LEVEL (or LOG_LEVEL) = trace|debug|info|warn|error for \`start\` (default info)
${IDENTITY_USAGE}`;

// The CLI acts as local IT with direct database access: it is audited as actor "cli".
const CLI_ACTOR: Actor = { userId: null, deviceId: null };

class UsageError extends Error {}

/**
 * Opens (and migrates) the database at `data`. A SQLite path that holds no server database is
 * refused (NoServerDatabaseError) unless `create`: never an empty database by accident.
 */
async function open(data: string, create = false): Promise<OpenedDatabase> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    if (!create) assertServerDatabase(data);
    else if (!existsSync(data)) console.error(`creating a new server database at ${data}`);
  }
  const opened = await openDatabase(databaseUrl ? { databaseUrl } : { sqlitePath: data });
  await migrateToLatest(opened.db, opened.dialect);
  return opened;
}

async function withContext<T>(data: string, fn: (ctx: ServerContext) => Promise<T>, create = false): Promise<T> {
  const opened = await open(data, create);
  const databaseUrl = process.env.DATABASE_URL;
  const ctx = await createServerContext({ db: opened.db, dialect: opened.dialect, ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    return await fn(ctx);
  } finally {
    await ctx.events.close();
    await opened.close();
  }
}

async function ensureRootUnit(db: Kysely<Database>): Promise<string> {
  const root = await db.selectFrom('org_units').select('id').where('parent_id', 'is', null).executeTakeFirst();
  if (root) return root.id;
  await db.insertInto('org_units').values({ id: 'unit-root', parent_id: null, name: 'Company', kind: 'company' }).execute();
  return 'unit-root';
}

async function start(data: string, values: Record<string, string | boolean | undefined>): Promise<void> {
  const port = Number(values.port ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
  const host = String(values.host ?? '127.0.0.1');
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if (Boolean(cert) !== Boolean(key)) throw new UsageError('give both --tls-cert and --tls-key (or neither)');
  const opened = await open(data);
  const databaseUrl = process.env.DATABASE_URL;
  const { app } = await buildServer({
    db: opened.db,
    dialect: opened.dialect,
    ...(databaseUrl ? { databaseUrl } : {}),
    logger: { level: process.env.SV_LOG_LEVEL || process.env.LOG_LEVEL || 'info' },
    ...(cert && key ? { https: { cert: readFileSync(String(cert)), key: readFileSync(String(key)) } } : {}),
  });
  const shutdown = async () => {
    await app.close();
    await opened.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  const address = await app.listen({ host, port });
  console.log(`SalesVault server (${opened.dialect}) listening on ${address}`);
}

function readAnchors(file: string | undefined): string[] {
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').map((line) => line.trim()).filter(Boolean);
}

function describeFailure(result: ChainVerification): string[] {
  const lines: string[] = [];
  const { missingTail, missingEntries, checkpointMismatch, invalidCheckpoints } = result;
  if (missingTail) {
    lines.push(
      `audit trail TRUNCATED: ${missingTail.count} entries missing from the end, from seq ${missingTail.fromSeq} to seq ${missingTail.toSeq} ` +
        `(covered by the checkpoint signed at ${new Date(missingTail.checkpointAt).toISOString()})`,
    );
  }
  if (missingEntries) {
    lines.push(
      `audit trail CUT: ${missingEntries.count} entries missing, from seq ${missingEntries.fromSeq} to seq ${missingEntries.toSeq} ` +
        '(deleted, and the trail written on after them)',
    );
  } else if (checkpointMismatch) {
    lines.push(
      `audit chain REPLACED: entry seq ${checkpointMismatch.seq} differs from the checkpoint signed at ` +
        `${new Date(checkpointMismatch.checkpointAt).toISOString()}; entries up to it were deleted or rewritten`,
    );
  } else if (
    result.firstBrokenSeq !== null &&
    result.firstBrokenSeq !== missingTail?.fromSeq &&
    result.firstBrokenSeq !== invalidCheckpoints?.[0]
  ) {
    lines.push(`audit chain BROKEN at entry seq ${result.firstBrokenSeq} (${result.checked} entries checked)`);
  }
  if (invalidCheckpoints?.length) {
    lines.push(`audit checkpoints INVALID (signature does not verify): seq ${invalidCheckpoints.join(', ')}`);
  }
  return lines;
}

/** Verifies the trail; when it holds, signs a checkpoint of its head (and anchors it in `anchorFile`). */
async function auditVerify(ctx: ServerContext, anchorFile: string | undefined): Promise<number> {
  let result: ChainVerification;
  try {
    result = await verifyChain(ctx.db, { keys: ctx.keys, anchors: readAnchors(anchorFile) });
  } catch (err) {
    if (err instanceof AnchorInvalidError) {
      console.log(`audit anchors INVALID: ${anchorFile} holds a checkpoint this server did not sign`);
      return 1;
    }
    throw err;
  }
  if (!result.ok) {
    for (const line of describeFailure(result)) console.log(line);
    return 1;
  }
  console.log(`audit chain OK: ${result.checked} entries verified`);
  if (result.latestCheckpoint) console.log(`covers the checkpoint of seq ${result.latestCheckpoint.seq} signed at ${new Date(result.latestCheckpoint.at).toISOString()}`);
  const checkpoint = await checkpointHead(ctx.db, ctx.keys, ctx.now());
  if (checkpoint) {
    console.log(`new checkpoint: seq ${checkpoint.seq} hash ${checkpoint.hash}`);
    console.log(checkpoint.jws);
    if (anchorFile) appendFileSync(anchorFile, `${checkpoint.jws}\n`, { mode: 0o600 });
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] && IDENTITY_COMMANDS.has(argv[0])) {
    return runIdentityCommand(argv, (location, fn) => withContext(serverDataLocation(location).file, fn));
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      'data-dir': { type: 'string' },
      'server-url': { type: 'string' },
      'harness-url': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'display-name': { type: 'string' },
      customers: { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      'due-days': { type: 'string' },
      'stale-days': { type: 'string' },
      'due-action': { type: 'string' },
      'reminder-days': { type: 'string' },
      anchor: { type: 'string' },
      format: { type: 'string' },
      lang: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg, arg2] = positionals;
  const location: DataLocation = serverDataLocation({ data: values.data, dataDir: values['data-dir'] });
  const data = location.file;
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }

  switch (command) {
    case 'start':
      await start(data, values);
      return -1; // keeps running
    case 'migrate': {
      if (!process.env.DATABASE_URL && !existsSync(data)) console.error(`creating a new server database at ${data}`);
      if (!process.env.DATABASE_URL) mkdirSync(location.dir, { recursive: true });
      const opened = await openDatabase(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { sqlitePath: data });
      try {
        const { applied } = await migrateToLatest(opened.db, opened.dialect);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
      } finally {
        await opened.close();
      }
      return 0;
    }
    case 'seed': {
      const customers = Number(values.customers ?? 1000);
      const seed = values.seed === undefined ? undefined : Number(values.seed);
      if (!process.env.DATABASE_URL) mkdirSync(location.dir, { recursive: true });
      const opened = await open(data, true);
      try {
        const summary = await seedDemo(
          { db: opened.db, dialect: opened.dialect as Dialect },
          { customers, ...(seed === undefined ? {} : { seed }) },
        );
        console.log(formatDemoSummary(summary));
      } finally {
        await opened.close();
      }
      return 0;
    }
    case 'create-admin': {
      if (!values.username || !values.password) throw new UsageError('create-admin needs --username and --password');
      if (!process.env.DATABASE_URL) mkdirSync(location.dir, { recursive: true });
      return withContext(data, async (ctx) => {
        const unitId = await ensureRootUnit(ctx.db);
        const user = await createUser(
          ctx,
          {
            username: values.username!,
            displayName: values['display-name'] ?? values.username!,
            password: values.password!,
            unitId,
            roleId: DEFAULT_ROLE_IDS.it_admin,
            managedUnitIds: [],
          },
          CLI_ACTOR,
        );
        // Offer the TOTP secret now so the admin can add it to an authenticator before signing in.
        const secret = newTotpSecret();
        await ctx.db.updateTable('users').set({ totp_pending_secret: secret }).where('id', '=', user.id).execute();
        console.log(`created IT admin ${user.username} (${user.id})`);
        console.log(`add this to an authenticator app (or scan it as a QR code):\n${otpauthUri(secret, user.username)}`);
        return 0;
      }, true);
    }
    case 'revoke-device': {
      if (!arg) throw new UsageError('revoke-device needs a device id');
      return withContext(data, async (ctx) => {
        const device = await revokeDevice(ctx, arg, CLI_ACTOR);
        console.log(`device ${device.id} (${device.name}) is revoked`);
        return 0;
      });
    }
    case 'exposure': {
      if (!arg) throw new UsageError('exposure needs a device id');
      const format = values.format ?? 'json';
      const lang = values.lang ?? 'en';
      if (!(EXPOSURE_FORMATS as readonly string[]).includes(format)) throw new UsageError('--format must be json, csv or pdf');
      if (!(EXPOSURE_LANGS as readonly string[]).includes(lang)) throw new UsageError('--lang must be en or zh-CN');
      return withContext(data, async (ctx) => {
        const report = await exposureReport(ctx, arg);
        const file = await renderExposure(report, format as ExposureFormat, lang as ExposureLang);
        await ctx.audit.append({
          actorId: null, deviceId: null, action: 'admin.device.exposure', target: arg, outcome: 'ok',
          details: { format, lang, customers: report.customers.length, via: 'cli' },
        });
        const bytes = Buffer.from(file.base64, 'base64');
        if (values.out) {
          writeFileSync(values.out, bytes, { mode: 0o600 });
          console.error(`${values.out}: ${report.customers.length} customers, device ${report.device.id}`);
        } else process.stdout.write(bytes);
        if (file.cjkFont === false) console.error('note: no CJK font found (set SV_PDF_FONT); Chinese text is shown as "?"');
        return 0;
      });
    }
    case 'deactivate-user': {
      if (!arg) throw new UsageError('deactivate-user needs a username');
      return withContext(data, async (ctx) => {
        const row = await ctx.db.selectFrom('users').select('id').where('username', '=', arg).executeTakeFirst();
        if (!row) throw new DomainError('not_found', `no user ${arg}`);
        const { revokedDevices } = await deactivateUser(ctx, row.id, CLI_ACTOR);
        console.log(`user ${arg} is deactivated; ${revokedDevices} device(s) revoked`);
        return 0;
      });
    }
    case 'unlock-user':
    case 'reset-mfa':
    case 'sign-out-everywhere':
    case 'revoke-all-devices': {
      if (!arg) throw new UsageError(`${command} needs a username`);
      return withContext(data, async (ctx) => {
        const row = await ctx.db.selectFrom('users').select('id').where('username', '=', arg).executeTakeFirst();
        if (!row) throw new DomainError('not_found', `no user ${arg}`);
        if (command === 'unlock-user') {
          await unlockUser(ctx, row.id, CLI_ACTOR);
          console.log(`user ${arg} is unlocked`);
        } else if (command === 'reset-mfa') {
          await resetMfa(ctx, row.id, CLI_ACTOR);
          console.log(`user ${arg} sets up an authenticator again at the next sign-in`);
        } else if (command === 'sign-out-everywhere') {
          console.log(`user ${arg} is signed out on ${await signOutEverywhere(ctx, row.id, CLI_ACTOR)} device(s)`);
        } else {
          console.log(`${(await revokeAllDevices(ctx, row.id, CLI_ACTOR)).length} device(s) of ${arg} revoked`);
        }
        return 0;
      });
    }
    case 'min-version':
      return withContext(data, async (ctx) => {
        console.log(await runMinVersionCommand(ctx, positionals.slice(1), CLI_ACTOR));
        return 0;
      });
    case 'audit-verify':
      return withContext(data, (ctx) => auditVerify(ctx, values.anchor));
    case 'incident': {
      if ((arg !== 'user' && arg !== 'device') || !arg2) throw new UsageError('incident needs `user <username>` or `device <device-id>`');
      return withContext(data, async (ctx) => {
        let incident;
        if (arg === 'user') {
          const row = await ctx.db.selectFrom('users').select('id').where('username', '=', arg2).executeTakeFirst();
          if (!row) throw new DomainError('not_found', `no user ${arg2}`);
          incident = await userIncident(ctx, row.id);
        } else {
          incident = await deviceIncident(ctx, arg2);
        }
        for (const line of formatIncident(incident)) console.log(line);
        return 0;
      });
    }
    case 'totp': {
      if (!arg) throw new UsageError('totp needs a username');
      const opened = await open(data);
      try {
        // Only demo users have a derivable secret; everyone else's lives in their authenticator.
        const row = await opened.db.selectFrom('users').select('totp_secret').where('username', '=', arg).executeTakeFirst();
        if (!row || row.totp_secret !== demoTotpSecret(arg)) throw new UsageError(`${arg} is not a demo user of this database`);
        console.log(totpFor(arg));
        return 0;
      } finally {
        await opened.close();
      }
    }
    case 'demo-info': {
      const opened = await open(data);
      try {
        const info = await demoInfo(opened.db, {
          dataDir: process.env.DATABASE_URL ? null : location.dir,
          serverUrl: values['server-url'] ?? `http://127.0.0.1:${process.env.SV_SERVER_PORT ?? 8787}`,
          harnessUrl: values['harness-url'] ?? null,
        });
        console.log(formatDemoInfo(info));
        return 0;
      } finally {
        await opened.close();
      }
    }
    case 'alerts':
      return withContext(data, async (ctx) => {
        const rows = await ctx.db.selectFrom('alerts').selectAll().where('status', '=', 'open').orderBy('at', 'desc').limit(200).execute();
        for (const a of rows) {
          console.log(`${new Date(a.at).toISOString()}  ${a.severity.padEnd(6)} ${a.rule.padEnd(22)} user=${a.user_id ?? '-'} device=${a.device_id ?? '-'}  ${a.details}  (${a.id})`);
        }
        console.log(`${rows.length} open alert(s)`);
        return 0;
      });
    case 'review-create': {
      const name = values.name?.trim();
      const dueDays = Number(values['due-days'] ?? 14);
      const staleDays = Number(values['stale-days'] ?? 30);
      if (!name) throw new UsageError('review-create needs --name');
      if (!Number.isInteger(dueDays) || dueDays < 1) throw new UsageError('--due-days must be a whole number of days ≥ 1');
      if (!Number.isInteger(staleDays) || staleDays < 1) throw new UsageError('--stale-days must be a whole number of days ≥ 1');
      const dueAction = values['due-action'] ?? 'keep';
      if (dueAction !== 'keep' && dueAction !== 'revoke') throw new UsageError('--due-action must be keep or revoke');
      const reminderDays = Number(values['reminder-days'] ?? 3);
      if (!Number.isInteger(reminderDays) || reminderDays < 0 || reminderDays > 90) throw new UsageError('--reminder-days must be a whole number of days from 0 to 90');
      return withContext(data, async (ctx) => {
        const campaign = await createReviewCampaign(ctx, { name, dueAt: ctx.now() + dueDays * 86_400_000, staleDays, dueAction, reminderDays }, CLI_ACTOR);
        console.log(`review campaign ${campaign.id} "${campaign.name}" opened with ${campaign.items} item(s); undecided at the due date: ${dueAction}`);
        return 0;
      });
    }
    case 'review-apply-due':
      return withContext(data, async (ctx) => {
        const run = await applyDueCampaigns(ctx);
        console.log(`${run.reminders} reminder(s) sent`);
        for (const c of run.closed) {
          console.log(`campaign ${c.campaignId} closed at its due date: ${c.kept} kept, ${c.revoked} revoked (${c.revokedDevices} device(s) revoked)${c.keptLastAdmin ? `, ${c.keptLastAdmin} kept as the last user administrator` : ''}`);
        }
        console.log(`${run.closed.length} campaign(s) closed`);
        return 0;
      });
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

/**
 * One command as the shell sees it: its exit code (negative for `start`, which keeps serving),
 * with usage and failures reported on stderr. The bin below is only this plus process.exit;
 * tests call it in-process.
 */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (err) {
    if (err instanceof NoServerDatabaseError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    if (err instanceof UsageError || err instanceof IdentityUsageError || err instanceof MinVersionUsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`error: ${(err as Error).message}`);
    return 1;
  }
}

// Run when executed directly (tsx server/cli.ts …), not when imported by tests.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  void runCli(process.argv.slice(2)).then((code) => {
    if (code >= 0) process.exit(code);
  });
}
