// TEST SUPPORT: a child process running the client core (app service + sync engine) against a
// real server, so crash tests can SIGKILL it at a deterministic point and restart in the parent.
//
// Environment:
//   SV_CHILD_DATA_DIR        the app's data dir (vault, settings)
//   SV_CHILD_KEYCHAIN        the keychain service name (the real OS keychain)
//   SV_CHILD_PAUSE           a sync pause point ('after-pull-page' | 'after-push-sent'): the child
//                            writes SV_CHILD_PAUSE_FILE there and waits to be killed
//   SV_CHILD_PULL_PAGE_SIZE  records per pull page
//   SV_CHILD_ENROLL          JSON { serverUrl, username, password, totpSecret }: sign in first
//   SV_TEST_WIPE_PAUSE_AFTER the wipe's own pause hook (electron/core/wipe)
//   SV_CHILD_EDITS           JSON { customerId, count }: make `count` edits of that customer, wait
//                            until the keychain mark lists them, write the outbox's mutation ids
//                            to SV_CHILD_PAUSE_FILE and wait to be killed
//   SV_CHILD_CLOCK_OFFSET_MS the laptop's wall clock runs this far from real time

import { writeFileSync } from 'node:fs';
import { Secret, TOTP } from 'otpauth';
import { createAppService } from '../../../electron/core/app-service';
import { VAULT_MARK_ACCOUNT } from '../../../electron/core/contracts';
import { KeytarSecretStore } from '../../../electron/core/keychain';
import type { SyncPausePoint } from '../../../electron/core/sync/engine';

const env = process.env;
const pausePoint = env.SV_CHILD_PAUSE as SyncPausePoint | undefined;

const app = await createAppService({
  dataDir: env.SV_CHILD_DATA_DIR!,
  secrets: new KeytarSecretStore(env.SV_CHILD_KEYCHAIN!),
  appVersion: 'crash-child',
  clock: env.SV_CHILD_CLOCK_OFFSET_MS ? { now: () => Date.now() + Number(env.SV_CHILD_CLOCK_OFFSET_MS) } : undefined,
  syncIntervalMs: 3_600_000,
  pullPageSize: env.SV_CHILD_PULL_PAGE_SIZE ? Number(env.SV_CHILD_PULL_PAGE_SIZE) : undefined,
  syncHooks: {
    async pause(point) {
      if (point !== pausePoint) return;
      writeFileSync(env.SV_CHILD_PAUSE_FILE!, point);
      await new Promise(() => undefined); // wait here until SIGKILL
    },
  },
});

// What the child sees, for the parent's failure messages.
const report = (s: { phase: string; sync: unknown; outboxCount: number; online: boolean; reason: string | null }) =>
  console.error(JSON.stringify({ phase: s.phase, sync: s.sync, outbox: s.outboxCount, online: s.online, reason: s.reason }));
app.onStateChange(report);
const initial = await app.getState();
if (initial.ok) report(initial.value);

if (env.SV_CHILD_ENROLL) {
  const who = JSON.parse(env.SV_CHILD_ENROLL) as { serverUrl: string; username: string; password: string; totpSecret: string };
  const signIn = await app.signIn({ serverUrl: who.serverUrl, username: who.username, password: who.password });
  if (!signIn.ok) throw new Error(`child sign-in failed: ${signIn.error.code}`);
  const totp = new TOTP({ secret: Secret.fromBase32(who.totpSecret), digits: 6, period: 30 });
  // A code used by an earlier run is refused (replay): try the next step, then wait for a new one.
  enroll: for (let round = 0; round < 3; round++) {
    for (const offset of [0, 30_000]) {
      const enrolled = await app.verifyMfa({ code: totp.generate({ timestamp: Date.now() + offset }) });
      if (enrolled.ok) break enroll;
      if (enrolled.error.code !== 'mfa_invalid') throw new Error(`child enrollment failed: ${enrolled.error.code}`);
    }
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 200));
  }
}
if (env.SV_CHILD_EDITS) {
  const edits = JSON.parse(env.SV_CHILD_EDITS) as { customerId: string; count: number };
  for (let i = 0; i < edits.count; i++) {
    const done = await app.updateCustomer({ id: edits.customerId, fields: { notes: `child edit ${i}` } });
    if (!done.ok) throw new Error(`child edit failed: ${done.error.code}`);
  }
  const outbox = await app.listOutbox();
  if (!outbox.ok) throw new Error(`child listOutbox failed: ${outbox.error.code}`);
  const ids = outbox.value.map((e) => e.mutationId);
  const secrets = new KeytarSecretStore(env.SV_CHILD_KEYCHAIN!);
  for (;;) {
    const mark = JSON.parse((await secrets.get(VAULT_MARK_ACCOUNT)) ?? '{"pending":[]}') as { pending: { mutationId: string }[] };
    if (ids.every((id) => mark.pending.some((p) => p.mutationId === id))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  writeFileSync(env.SV_CHILD_PAUSE_FILE!, JSON.stringify(ids));
}
// The first/next sync runs in the background (started by the service); stay alive for it.
setInterval(() => undefined, 60_000);
