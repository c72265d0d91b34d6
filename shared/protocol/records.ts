import { z } from 'zod';
import { ACTIVITY_KINDS, ENTITY_TYPES, OPPORTUNITY_STAGES } from '../domain/model';
import { epochMsSchema, idSchema } from './common';

// Schemas of record fields as they cross the wire (server <-> client, renderer -> core).
// Writable field schemas are used to validate create/update payloads everywhere.

export const entityTypeSchema = z.enum(ENTITY_TYPES);

// Control characters: NUL is refused by PostgreSQL text columns and the other C0 controls (and
// DEL) have no place in what people type. One-line text allows none; multi-line text allows tab,
// newline and carriage return.
function hasControlChar(s: string, allowLineBreaks: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7f) return true;
    if (c >= 0x20) continue;
    if (allowLineBreaks && (c === 0x09 || c === 0x0a || c === 0x0d)) continue;
    return true;
  }
  return false;
}

/** Single-line text: no control characters at all. */
export function lineText(max: number) {
  return z.string().max(max).refine((s) => !hasControlChar(s, false), 'must not contain control characters').transform((s) => s.trim());
}

/** Multi-line text: tab and line breaks allowed, no other control character. */
export function multilineText(max: number) {
  return z.string().max(max).refine((s) => !hasControlChar(s, true), 'must not contain control characters other than tab and line breaks');
}

const shortText = lineText(200);
const longText = multilineText(10_000);

export const customerFieldsSchema = z.object({
  name: shortText.pipe(z.string().min(1)),
  type: z.enum(['company', 'person']),
  industry: shortText,
  city: shortText,
  address: multilineText(500),
  tags: z.array(lineText(40).pipe(z.string().min(1))).max(30),
  creditLimit: z.number().finite().nonnegative().max(1e12).nullable(),
  paymentTerms: shortText.nullable(),
  taxId: lineText(40).nullable(),
  notes: longText,
});

export const contactFieldsSchema = z.object({
  customerId: idSchema,
  name: shortText.pipe(z.string().min(1)),
  title: shortText,
  phone: lineText(40).nullable(),
  email: lineText(200).nullable(),
  wechat: lineText(80).nullable(),
});

export const opportunityFieldsSchema = z.object({
  customerId: idSchema,
  title: shortText.pipe(z.string().min(1)),
  stage: z.enum(OPPORTUNITY_STAGES),
  amount: z.number().finite().nonnegative().max(1e13).nullable(),
  expectedCloseDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as yyyy-mm-dd'),
  probability: z.number().min(0).max(100),
  ownerId: idSchema,
});

export const activityFieldsSchema = z.object({
  customerId: idSchema,
  kind: z.enum(ACTIVITY_KINDS),
  at: epochMsSchema,
  text: longText.pipe(z.string().min(1)),
  // Follow-ups (docs/follow-ups.md); optional so a client that predates them still creates
  // logged activities (the columns then stay null).
  dueAt: epochMsSchema.nullable().optional(),
  doneAt: epochMsSchema.nullable().optional(),
  reminderAt: epochMsSchema.nullable().optional(),
});

/** Field schemas per entity. Structural fields (ownerId of a customer etc.) are set by their own actions. */
export const entityFieldSchemas = {
  customer: customerFieldsSchema,
  contact: contactFieldsSchema,
  opportunity: opportunityFieldsSchema,
  activity: activityFieldsSchema,
} as const;

/** A projected record on the wire: always id/updatedAt/version, other keys only when cleared. */
export const projectedRecordSchema = z
  .object({ id: idSchema, updatedAt: epochMsSchema, version: z.number().int().nonnegative() })
  .catchall(z.unknown());
