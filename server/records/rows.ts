// Mapping between database rows (snake_case, JSON text, 0/1) and domain records (shared/domain).
// Kept in one place so push, pull, the repository and the seed agree on every column.

import type { Activity, Contact, Customer, EntityType, EntityRecordMap, Opportunity } from '../../shared/domain/model';
import type { ActivitiesTable, ContactsTable, CustomersTable, Database, OpportunitiesTable } from '../db/schema';

export const ENTITY_TABLE = {
  customer: 'customers',
  contact: 'contacts',
  opportunity: 'opportunities',
  activity: 'activities',
} as const satisfies Record<EntityType, keyof Database>;

export type EntityTable = (typeof ENTITY_TABLE)[EntityType];

export interface EntityRowMap {
  customer: CustomersTable;
  contact: ContactsTable;
  opportunity: OpportunitiesTable;
  activity: ActivitiesTable;
}

export type AnyRow = CustomersTable | ContactsTable | OpportunitiesTable | ActivitiesTable;
export type AnyRecord = EntityRecordMap[EntityType];

/** PostgreSQL may hand numeric columns back as strings; SQLite as numbers. */
function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}
function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

function parseTags(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

export function customerFromRow(r: CustomersTable): Customer {
  return {
    id: r.id, updatedAt: num(r.updated_at), version: num(r.version),
    name: r.name, type: r.type, industry: r.industry, city: r.city, address: r.address,
    ownerId: r.owner_id, tags: parseTags(r.tags), creditLimit: numOrNull(r.credit_limit),
    paymentTerms: r.payment_terms, taxId: r.tax_id, notes: r.notes,
  };
}

export function contactFromRow(r: ContactsTable): Contact {
  return {
    id: r.id, updatedAt: num(r.updated_at), version: num(r.version), customerId: r.customer_id,
    name: r.name, title: r.title, phone: r.phone, email: r.email, wechat: r.wechat,
  };
}

export function opportunityFromRow(r: OpportunitiesTable): Opportunity {
  return {
    id: r.id, updatedAt: num(r.updated_at), version: num(r.version), customerId: r.customer_id,
    title: r.title, stage: r.stage as Opportunity['stage'], amount: numOrNull(r.amount),
    expectedCloseDate: r.expected_close_date, probability: num(r.probability), ownerId: r.owner_id,
  };
}

export function activityFromRow(r: ActivitiesTable): Activity {
  return {
    id: r.id, updatedAt: num(r.updated_at), version: num(r.version), customerId: r.customer_id,
    kind: r.kind as Activity['kind'], at: num(r.at), authorId: r.author_id, text: r.text,
    dueAt: numOrNull(r.due_at), doneAt: numOrNull(r.done_at), reminderAt: numOrNull(r.reminder_at),
  };
}

export function recordFromRow<E extends EntityType>(entity: E, row: EntityRowMap[E]): EntityRecordMap[E] {
  switch (entity) {
    case 'customer': return customerFromRow(row as CustomersTable) as EntityRecordMap[E];
    case 'contact': return contactFromRow(row as ContactsTable) as EntityRecordMap[E];
    case 'opportunity': return opportunityFromRow(row as OpportunitiesTable) as EntityRecordMap[E];
    default: return activityFromRow(row as ActivitiesTable) as EntityRecordMap[E];
  }
}

/** Domain field name → column name, for the fields a mutation may set. */
export const FIELD_COLUMNS: { [E in EntityType]: Record<string, string> } = {
  customer: {
    name: 'name', type: 'type', industry: 'industry', city: 'city', address: 'address', tags: 'tags',
    creditLimit: 'credit_limit', paymentTerms: 'payment_terms', taxId: 'tax_id', notes: 'notes', ownerId: 'owner_id',
  },
  contact: { customerId: 'customer_id', name: 'name', title: 'title', phone: 'phone', email: 'email', wechat: 'wechat' },
  opportunity: {
    customerId: 'customer_id', title: 'title', stage: 'stage', amount: 'amount',
    expectedCloseDate: 'expected_close_date', probability: 'probability', ownerId: 'owner_id',
  },
  activity: {
    customerId: 'customer_id', kind: 'kind', at: 'at', text: 'text', authorId: 'author_id',
    dueAt: 'due_at', doneAt: 'done_at', reminderAt: 'reminder_at',
  },
};

/** Converts domain field values to column values (tags are stored as JSON text). */
export function columnsFromFields(entity: EntityType, fields: Record<string, unknown>): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  const map = FIELD_COLUMNS[entity];
  for (const [field, value] of Object.entries(fields)) {
    const column = map[field];
    if (!column) throw new Error(`unknown field ${entity}.${field}`);
    columns[column] = field === 'tags' ? JSON.stringify(value ?? []) : value;
  }
  return columns;
}
