// The customer detail's child lists through the desktop API: getCustomer answers the first page
// and the counts, customerActivities / customerContacts / customerOpportunities the rest by
// keyset. A field above the user's read clearance is absent from every page as it is from the
// detail. REAL server over HTTP, REAL vault, REAL keychain.
// Run inside: dbus-run-session -- sh -c 'printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run test/handlers'

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildCursor } from '../../shared/api/desktop-api';
import { CHILD_PAGE_SIZE } from '../../shared/api/desktop-api';
import { createRecord, inRecordTransaction } from '../../server/records/repository';
import { newTestApp, signInAndSync, unwrap, type TestApp } from '../support/test-app';
import { startRealServer, type RealServer } from '../support/real-server';

const ACTIVITIES = 130;
const SECRET = '机密拜访纪要';

describe('paged child lists of a customer (real server, vault, keychain)', () => {
  let server: RealServer;
  let t: TestApp;

  beforeAll(async () => {
    server = await startRealServer();
    const customer = server.customers.repOwn;
    const rep = server.fixture.users.rep;
    const now = Date.now();
    // Activity texts and contact titles above the rep's read clearance (sensitive) from now on.
    await server.ctx.db.insertInto('field_classification').values([
      { entity: 'activity', field: 'text', level: 'confidential' },
      { entity: 'contact', field: 'title', level: 'confidential' },
    ]).onConflict((oc) => oc.columns(['entity', 'field']).doUpdateSet((eb) => ({ level: eb.ref('excluded.level') }))).execute();
    await inRecordTransaction(server.ctx, async (trx) => {
      for (let i = 0; i < ACTIVITIES; i++) {
        await createRecord(trx, {
          entity: 'activity', id: `paged-act-${i}`, actorId: rep.id, now,
          fields: { customerId: customer.id, kind: i % 2 ? 'call' : 'visit', at: now - (i + 2) * 3_600_000, text: `${SECRET} ${i}`, authorId: rep.id },
        });
      }
      for (let i = 0; i < 60; i++) {
        await createRecord(trx, {
          entity: 'contact', id: `paged-contact-${i}`, actorId: rep.id, now,
          fields: { customerId: customer.id, name: `联系人 ${String(i).padStart(2, '0')}`, title: `${SECRET} title ${i}`, phone: null, email: null, wechat: null },
        });
      }
    });
    t = await newTestApp('customer-children');
    await signInAndSync(t.app, server, rep);
  });
  afterAll(async () => {
    await t?.cleanup();
    await server?.cleanup();
  });

  it('answers the first page with counts, then every further page once; no field above clearance in any answer', async () => {
    const customer = server.customers.repOwn;
    const detail = unwrap(await t.app.getCustomer({ id: customer.id }));
    const total = ACTIVITIES + 1; // the fixture's own activity of this customer
    expect(detail.counts).toEqual({ contacts: 61, opportunities: 1, activities: total });
    expect(detail.activities).toHaveLength(CHILD_PAGE_SIZE);
    expect(detail.next.activities).not.toBeNull();
    expect(detail.next.opportunities).toBeNull();
    const texts = [JSON.stringify(detail)];

    const activityIds = detail.activities.map((a) => a.id);
    let after: ChildCursor | null = detail.next.activities;
    while (after) {
      const page = unwrap(await t.app.customerActivities({ customerId: customer.id, after }));
      texts.push(JSON.stringify(page));
      activityIds.push(...page.rows.map((a) => a.id));
      after = page.next;
    }
    expect(activityIds).toHaveLength(total);
    expect(new Set(activityIds).size).toBe(total);
    const server_ = (await server.db.selectFrom('activities').select('id').where('customer_id', '=', customer.id).execute()).map((r) => r.id).sort();
    expect([...activityIds].sort()).toEqual(server_);

    const contacts = unwrap(await t.app.customerContacts({ customerId: customer.id, after: detail.next.contacts!, limit: 200 }));
    texts.push(JSON.stringify(contacts));
    expect(detail.contacts.length + contacts.rows.length).toBe(61);
    expect(contacts.next).toBeNull();

    // Who logged each activity, by name (the owner directory of the pull).
    const some = unwrap(await t.app.customerActivities({ customerId: customer.id, limit: 5 })).rows;
    expect(some.every((a) => a.authorName === server.fixture.users.rep.username)).toBe(true);

    // Above clearance: absent as a key and as a value, in the detail and in every page.
    for (const a of [...detail.activities, ...some]) expect('text' in a).toBe(false);
    for (const c of [...detail.contacts, ...contacts.rows]) expect('title' in c).toBe(false);
    for (const text of texts) expect(text).not.toContain(SECRET);
  });

  it('refuses what is not on this device and malformed positions', async () => {
    expect(await t.app.customerActivities({ customerId: server.customers.otherRep.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await t.app.customerContacts({ customerId: 'no-such-customer' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad = { customerId: server.customers.repOwn.id, after: { key: 1, rid: -1 } };
    expect(await t.app.customerOpportunities(bad)).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await t.app.customerActivities({ customerId: server.customers.repOwn.id, limit: 10_000 })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});
