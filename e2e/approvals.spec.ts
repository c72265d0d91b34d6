// Four eyes in the UI: IT admin A raises the sales-rep role's read clearance in the role matrix;
// the change widens access, so the server holds it and the editor says "sent for approval".
// A sees the request as its own and cannot approve it; IT admin B approves it on the pending
// approvals page; the rep's device re-scopes and a confidential field it never had appears.

import { hashPassword } from '../server/identity/password';
import { DEMO_PASSWORD, demoTotpSecret } from '../server/seed/demo';
import { App } from './pages/App';
import { expectListMatchesServerScope } from './support/flows';
import { expect, signInAs, test } from './support/fixtures';

// The demo org's second IT admin asks, so that it.admin (used by other specs, and allowed two
// devices) is not enrolled a third time; a third admin added here approves.
const ADMIN_A = 'it.admin2';
const ADMIN_B = 'it.admin.b';
const REP = 'rep.sh1.2';

test('admin A asks, admin B approves, the rep re-scopes', async ({ app, harnesses, server, totp, shot, context }) => {
  const db = server.db.db;
  const a = await server.db.user(ADMIN_A);
  if (!(await db.selectFrom('users').select('id').where('username', '=', ADMIN_B).executeTakeFirst())) {
    await db.insertInto('users').values({
      id: 'user-e2e-it-admin-b', username: ADMIN_B, display_name: '钱敏（IT）', unit_id: a.unit_id, role_id: a.role_id, managed_unit_ids: '[]',
      status: 'active', password_hash: await hashPassword(DEMO_PASSWORD), totp_secret: demoTotpSecret(ADMIN_B), totp_pending_secret: null,
      failed_attempts: 0, locked_until: null, last_sign_in_at: null, last_totp_step: null, created_at: Date.now(),
    }).execute();
  }
  const repRole = await db.selectFrom('roles').select(['read_clearance']).where('id', '=', 'role-rep').executeTakeFirstOrThrow();
  try {
    // ---- the rep: a confidential field (credit limit) is absent
    const repHarness = await harnesses.launch('approvals-rep');
    const repPage = await context.newPage();
    await repPage.goto(repHarness.url);
    const rep = new App(repPage);
    await signInAs(rep, { serverUrl: server.url, username: REP, totp });
    const [customer] = await expectListMatchesServerScope(rep, server, REP);
    await rep.customers.open(customer!.name);
    await expect(rep.detail.title(customer!.name)).toBeVisible();
    await expect(rep.detail.fieldValue('creditLimit')).toHaveCount(0);

    // ---- admin A asks: the role matrix answers "sent for approval"
    await signInAs(app, { serverUrl: server.url, username: ADMIN_A, totp });
    await app.shell.open('roles');
    await expect(app.approvals.rolesHeading).toBeVisible();
    const repRoleName = app.m.roleNames.rep;
    const confidential = app.m.levels.confidential;
    await app.approvals.setReadClearance(repRoleName, confidential);
    await expect(app.approvals.sentForApproval).toBeVisible();
    const pending = await db.selectFrom('approval_requests').selectAll().where('status', '=', 'pending').where('target', '=', 'role-rep').execute();
    expect(pending).toHaveLength(1);
    expect((await db.selectFrom('roles').select('read_clearance').where('id', '=', 'role-rep').executeTakeFirstOrThrow()).read_clearance).toBe(repRole.read_clearance);

    // A sees its own request, without an approve button.
    await app.shell.open('approvals');
    const ownRow = app.approvals.row(app.approvals.roleClearanceText(repRoleName, confidential));
    await expect(ownRow).toHaveCount(1);
    await expect(app.approvals.ownRequestTag(ownRow)).toBeVisible();
    await expect(app.approvals.approveButton(ownRow)).toHaveCount(0);

    // ---- admin B approves on the pending approvals page
    const bHarness = await harnesses.launch('approvals-b');
    const bPage = await context.newPage();
    await bPage.setViewportSize({ width: 1280, height: 720 });
    await bPage.goto(bHarness.url);
    const b = new App(bPage);
    await signInAs(b, { serverUrl: server.url, username: ADMIN_B, totp });
    await b.shell.open('approvals');
    await expect(b.approvals.heading).toBeVisible();
    const row = b.approvals.row(b.approvals.roleClearanceText(repRoleName, confidential));
    await expect(row).toHaveCount(1);
    await shot(bPage, 'approvals-zh-CN');
    await b.approvals.approve(row);
    await expect.poll(async () => (await db.selectFrom('approval_requests').select('status').where('id', '=', pending[0]!.id).executeTakeFirstOrThrow()).status).toBe('approved');
    await expect(row).toHaveCount(0);

    // ---- the rep's device re-scopes: the credit limit now arrives
    await expect(async () => {
      await rep.shell.syncNow.click();
      await expect(rep.detail.fieldValue('creditLimit')).toHaveCount(1, { timeout: 2_000 });
    }).toPass({ timeout: 30_000 });

    // ---- the page in English, with the decided request listed under "all"
    await b.shell.switchLanguage('en', 'English');
    const bEn = new App(bPage, 'en');
    await expect(bEn.approvals.heading).toBeVisible();
    await bPage.getByText(bEn.m.admin.approvals.filterAll, { exact: true }).click();
    await expect(bEn.approvals.row(bEn.approvals.roleClearanceText(bEn.m.roleNames.rep, bEn.m.levels.confidential))).toHaveCount(1);
    await shot(bPage, 'approvals-en');
  } finally {
    // Other specs expect the shipped rep role: narrowing it back needs no approval.
    await db.updateTable('roles').set({ read_clearance: repRole.read_clearance }).where('id', '=', 'role-rep').execute();
  }
});
