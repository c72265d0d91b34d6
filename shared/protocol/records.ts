import { z } from 'zod';
import { ACTIVITY_KINDS, ENTITY_TYPES, OPPORTUNITY_STAGES } from '../domain/model';
import { epochMsSchema, idSchema } from './common';

// Schemas of record fields as they cross the wire (server <-> client, renderer -> core).
// Writable field schemas are used to validate create/update payloads everywhere.

export const entityTypeSchema = z.enum(ENTITY_TYPES);

const shortText = z.string().trim().max(200);
const longText = z.string().max(10_000);

export const customerFieldsSchema = z.object({
  name: shortText.min(1),
  type: z.enum(['company', 'person']),
  industry: shortText,
  city: shortText,
  address: z.string().max(500),
  tags: z.array(z.string().trim().min(1).max(40)).max(30),
  creditLimit: z.number().finite().nonnegative().max(1e12).nullable(),
  paymentTerms: shortText.nullable(),
  taxId: z.string().trim().max(40).nullable(),
  notes: longText,
});

export const contactFieldsSchema = z.object({
  customerId: idSchema,
  name: shortText.min(1),
  title: shortText,
  phone: z.string().trim().max(40).nullable(),
  email: z.string().trim().max(200).nullable(),
  wechat: z.string().trim().max(80).nullable(),
});

export const opportunityFieldsSchema = z.object({
  customerId: idSchema,
  title: shortText.min(1),
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
  text: longText.min(1),
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
