import { z } from 'zod';
import { ENTITY_TYPES, FIELD_LEVELS } from '../domain/model';
import { epochMsSchema } from './common';

// The lost-device exposure report (server/exposure/report.ts; rules in docs/exposure-report.md):
// what a device's vault held at its last acknowledged pull, from the server's exposure ledger —
// never re-derived from today's permissions. An IT admin sees record ids, customer names and the
// NAMES of the fields held by classification level; never a field's value.

export const EXPOSURE_FORMATS = ['json', 'csv', 'pdf'] as const;
export type ExposureFormat = (typeof EXPOSURE_FORMATS)[number];
export const EXPOSURE_LANGS = ['zh-CN', 'en'] as const;
export type ExposureLang = (typeof EXPOSURE_LANGS)[number];

/** 'structural' = ids, owner, version and dates: always on the device with its record. */
export const EXPOSURE_LEVELS = [...FIELD_LEVELS, 'structural'] as const;
export type ExposureLevel = (typeof EXPOSURE_LEVELS)[number];

/**
 * held: the device acknowledged applying the page that brought it (its vault stored the page);
 * possibly_held: sent, not yet acknowledged (the device may or may not have stored it).
 */
export const HOLDING_STATUSES = ['held', 'possibly_held'] as const;
export type HoldingStatus = (typeof HOLDING_STATUSES)[number];

export const KEY_STORAGES = ['macos_keychain', 'windows_credential_manager', 'secret_service', 'unknown'] as const;

const entity = z.enum(ENTITY_TYPES);

export const exposureFieldSchema = z.object({ name: z.string(), level: z.enum(EXPOSURE_LEVELS) });

export const exposureRecordSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  status: z.enum(HOLDING_STATUSES),
  /** key into `fieldSets` */
  fieldSet: z.string(),
});

export const exposureCustomerSchema = exposureRecordSchema.extend({
  /** the customer's name as the server has it now (null: no longer on the server) */
  name: z.string().nullable(),
});

export const exposureReportSchema = z.object({
  generatedAt: epochMsSchema,
  device: z.object({
    id: z.string(),
    name: z.string(),
    hostName: z.string().nullable(),
    osVersion: z.string().nullable(),
    platform: z.string(),
    appVersion: z.string(),
    enrolledAt: epochMsSchema,
    lastCheckInAt: epochMsSchema.nullable(),
    lastIp: z.string().nullable(),
    status: z.enum(['active', 'revoked']),
    lifecycle: z.enum(['active', 'signed_out', 'revoked', 'wipe_confirmed']),
    revokedAt: epochMsSchema.nullable(),
    revokeReason: z.string().nullable(),
    wipeConfirmedAt: epochMsSchema.nullable(),
    /** where the vault key lives, by platform (the app keeps it only in the OS keychain) */
    keyStorage: z.enum(KEY_STORAGES),
  }),
  user: z.object({ id: z.string(), username: z.string(), displayName: z.string() }),
  /** now − last check-in (null: never checked in) */
  offlineForMs: z.number().int().nonnegative().nullable(),
  ledger: z.object({
    /** false: the device's first sync predates the ledger, so records may be missing from it */
    complete: z.boolean(),
    /** when the device last acknowledged a stored page (the ledger is "as of" then) */
    appliedAt: epochMsSchema.nullable(),
    /** pages sent and not yet acknowledged */
    pendingPages: z.number().int().nonnegative(),
    /** the read clearance the device was last served under */
    readClearance: z.enum(FIELD_LEVELS).nullable(),
  }),
  counts: z.record(entity, z.object({ held: z.number().int(), possiblyHeld: z.number().int() })),
  /** the field names held per entity, each with its level when it was sent */
  fields: z.array(z.object({ entity, name: z.string(), level: z.enum(EXPOSURE_LEVELS), status: z.enum(HOLDING_STATUSES) })),
  fieldSets: z.record(z.string(), z.object({ entity, fields: z.array(exposureFieldSchema) })),
  customers: z.array(exposureCustomerSchema),
  contacts: z.array(exposureRecordSchema),
  opportunities: z.array(exposureRecordSchema),
  activities: z.array(exposureRecordSchema),
});
export type ExposureReport = z.infer<typeof exposureReportSchema>;

export const exposureExportQuerySchema = z.object({
  format: z.enum(EXPOSURE_FORMATS),
  lang: z.enum(EXPOSURE_LANGS).default('en'),
});

/** A rendered report file (base64: the route table speaks JSON). */
export const exposureFileSchema = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  base64: z.string(),
  /** customers in the report */
  customers: z.number().int().nonnegative(),
  /** PDF only: false when no CJK font was found and Chinese text was left out (the PDF says so) */
  cjkFont: z.boolean().optional(),
});
export type ExposureFile = z.infer<typeof exposureFileSchema>;
