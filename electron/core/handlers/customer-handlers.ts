// Customer data on this device: search, detail, local edits, facets, export, the outbox and
// sync issues (opportunities and the team dashboard: opportunity-handlers.ts). Every handler
// reads through `requireUnlocked` (the lease holds) and asks the role before it acts; edits go
// through LocalEdits.

import { randomUUID } from 'node:crypto';
import { summarizeSearch } from '../../../shared/protocol/sync';
import { customerDetail } from '../record-access';
import { AppError } from '../api-errors';
import type { AppController } from '../session/controller';
import type { ChildCursor, ChildPage } from '../../../shared/api/desktop-api';
import type { ChildEntity, StoredChild } from '../contracts';
import { renderExport } from './exports';
import { LocalEdits, definedOnly, withDefaults } from './local-edits';
import type { HandlerGroup } from './types';

type CustomerMethod =
  | 'searchCustomers'
  | 'getCustomer'
  | 'customerContacts'
  | 'customerOpportunities'
  | 'customerActivities'
  | 'createCustomer'
  | 'updateCustomer'
  | 'createContact'
  | 'updateContact'
  | 'createOpportunity'
  | 'updateOpportunity'
  | 'logActivity'
  | 'listFacets'
  | 'exportCustomers'
  | 'listOutbox'
  | 'listIssues'
  | 'dismissIssue';

export function customerHandlers(app: AppController): HandlerGroup<CustomerMethod> {
  const edits = new LocalEdits(app);
  return {
    searchCustomers: async (input) => {
      const u = app.requireUnlocked();
      app.requireAction(u.grant, 'customer.read');
      const result = u.vault.searchCustomers(input);
      const query = input.query.trim();
      // The audit entry says that a search happened, not what was typed (often personal data).
      // A keyset continuation (`after`) is the next page of a search already recorded.
      if (query && result.total !== null) u.vault.recordAudit({ at: u.now, action: 'search', entity: 'customer', search: summarizeSearch(query), count: result.total });
      return result;
    },

    getCustomer: async (input) => {
      const u = app.requireUnlocked();
      app.requireAction(u.grant, 'customer.read');
      const stored = u.vault.getCustomer(input.id);
      if (!stored) throw new AppError('not_found', 'no such customer on this device');
      u.vault.recordAudit({ at: u.now, action: 'view', entity: 'customer', recordId: input.id });
      // Recently viewed customers for the home page (kept in the vault, this device only).
      u.vault.recordView(input.id, u.now);
      return customerDetail(u.grant, stored);
    },

    // Further pages of the detail's lists: the same read as getCustomer (lease, role, a customer
    // stored on this device), the rows as the vault stores them (projected to the user's clearance).
    customerContacts: async (input) => childPage(app, 'contact', input),
    customerOpportunities: async (input) => childPage(app, 'opportunity', input),
    customerActivities: async (input) => childPage(app, 'activity', input),

    createCustomer: async (input) => {
      const u = app.requireUnlocked();
      const id = randomUUID();
      const fields = withDefaults(u.grant, 'customer', input, {
        industry: '', city: '', address: '', tags: [], creditLimit: null, paymentTerms: null, taxId: null, notes: '',
      });
      edits.check(u, 'customer.create', 'customer', { kind: 'new-customer' }, fields);
      edits.record(u, { entity: 'customer', op: 'create', recordId: id, baseVersion: null, fields, baseValues: {} });
      return { id };
    },

    updateCustomer: async (input) => {
      const u = app.requireUnlocked();
      const fields = definedOnly(input.fields);
      const { target, base } = edits.editTarget(u, 'customer', input.id);
      edits.check(u, 'customer.update', 'customer', target, fields);
      edits.recordUpdate(u, 'customer', input.id, base, fields);
      return edits.detailOf(u, input.id);
    },

    createContact: async (input) => {
      const u = app.requireUnlocked();
      const fields = withDefaults(u.grant, 'contact', input, { title: '', phone: null, email: null, wechat: null });
      const target = edits.customerTarget(u, input.customerId);
      edits.check(u, 'contact.create', 'contact', target, fields);
      const id = randomUUID();
      edits.record(u, { entity: 'contact', op: 'create', recordId: id, baseVersion: null, fields, baseValues: {} });
      return { id };
    },

    updateContact: async (input) => {
      const u = app.requireUnlocked();
      const fields = definedOnly(input.fields);
      const { target, base } = edits.editTarget(u, 'contact', input.id);
      edits.check(u, 'contact.update', 'contact', target, fields);
      edits.recordUpdate(u, 'contact', input.id, base, fields);
      return edits.detailOf(u, target.customerId);
    },

    createOpportunity: async (input) => {
      const u = app.requireUnlocked();
      const in30Days = new Date(u.now + 30 * 86_400_000).toISOString().slice(0, 10);
      const fields = withDefaults(u.grant, 'opportunity', input, {
        amount: null, expectedCloseDate: in30Days, probability: 10, ownerId: u.grant.sub,
      });
      const target = edits.customerTarget(u, input.customerId);
      edits.check(u, 'opportunity.create', 'opportunity', target, fields);
      const id = randomUUID();
      edits.record(u, { entity: 'opportunity', op: 'create', recordId: id, baseVersion: null, fields, baseValues: {} });
      return { id };
    },

    updateOpportunity: async (input) => {
      const u = app.requireUnlocked();
      const fields = definedOnly(input.fields);
      const { target, base } = edits.editTarget(u, 'opportunity', input.id);
      edits.check(u, 'opportunity.update', 'opportunity', target, fields);
      edits.recordUpdate(u, 'opportunity', input.id, base, fields);
      return edits.detailOf(u, target.customerId);
    },

    logActivity: async (input) => {
      const u = app.requireUnlocked();
      const fields: Record<string, unknown> = { customerId: input.customerId, kind: input.kind, at: input.at ?? u.now, text: input.text };
      const target = edits.customerTarget(u, input.customerId);
      edits.check(u, 'activity.create', 'activity', target, fields);
      const id = randomUUID();
      edits.record(u, { entity: 'activity', op: 'create', recordId: id, baseVersion: null, fields, baseValues: {} });
      return { id };
    },

    listFacets: async () => app.requireUnlocked().vault.facets(),

    exportCustomers: async (input) => {
      const u = app.requireUnlocked();
      if (!u.grant.offline.exportAllowed) throw new AppError('forbidden', "your role's offline policy does not allow exports");
      app.requireAction(u.grant, 'customer.export');
      const rows: Record<string, unknown>[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = u.vault.searchCustomers({ query: '', offset, limit: 500 });
        app.state.progress = { task: 'export', done: offset + page.rows.length, total: page.total };
        app.emit();
        for (const r of page.rows) {
          rows.push({ id: r.id, name: r.name, type: r.type ?? '', industry: r.industry ?? '', city: r.city ?? '', owner: r.ownerName ?? r.ownerId, tags: (r.tags ?? []).join(';'), updatedAt: new Date(r.updatedAt).toISOString() });
        }
        if (page.rows.length < 500) break;
      }
      app.state.progress = null;
      app.emit();
      u.vault.recordAudit({ at: u.now, action: 'export', entity: 'customer', count: rows.length });
      void app.runSync().catch(() => undefined);
      return renderExport('customers', input.format, rows, u.now);
    },

    // Outbox labels and issue values are customer data: hidden while locked like the rest.
    listOutbox: async () => app.requireUnlocked().vault.listOutbox(),
    listIssues: async () => app.requireUnlocked().vault.listIssues(),
    dismissIssue: async (input) => {
      const u = app.requireUnlocked();
      u.vault.dismissIssue(input.id);
      app.emit();
      return { ok: true as const };
    },
  };
}

function childPage<E extends ChildEntity>(app: AppController, entity: E, input: { customerId: string; after?: ChildCursor | undefined; limit: number }): ChildPage<StoredChild[E]> {
  const u = app.requireUnlocked();
  app.requireAction(u.grant, 'customer.read');
  if (!u.vault.getRecord('customer', input.customerId)) throw new AppError('not_found', 'no such customer on this device');
  return u.vault.listChildren(entity, input.customerId, input.after, input.limit);
}
