// Wire schemas of the admin API: users, roles, shares, field levels, and the pending approvals
// that separation of duties puts between an administrator and a change that widens access.
// ROUTES (./routes.ts) uses these; the approval store keeps a change in exactly these shapes.

import { z } from 'zod';
import { ALL_ACTIONS, DATA_SCOPES, ENTITY_TYPES, FIELD_LEVELS, type Action } from '../domain/model';
import { epochMsSchema, idSchema } from './common';
import { offlinePolicySchema } from './grant';

const fieldLevel = z.enum(FIELD_LEVELS);
const action = z.enum(ALL_ACTIONS as [Action, ...Action[]]);
export const usernameSchema = z.string().trim().min(2).max(64).regex(/^[a-z0-9._-]+$/i, 'letters, digits, . _ -');
export const passwordSchema = z.string().min(8).max(256);

export const roleViewSchema = z.object({
  id: z.string(),
  key: z.string().nullable(),
  name: z.string(),
  actions: z.array(action),
  dataScope: z.enum(DATA_SCOPES),
  readClearance: fieldLevel,
  writeClearance: fieldLevel,
  offline: offlinePolicySchema,
});

const displayName = z.string().trim().min(1).max(100);

/** A new user as an administrator asks for it (the password travels only in the request). */
export const newUserFieldsSchema = z.object({
  username: usernameSchema, displayName, unitId: idSchema, roleId: idSchema, managedUnitIds: z.array(idSchema).max(50).default([]),
});
export const createUserBodySchema = newUserFieldsSchema.extend({ password: passwordSchema });

export const updateUserBodySchema = z.object({
  displayName: displayName.optional(),
  unitId: idSchema.optional(), roleId: idSchema.optional(),
  managedUnitIds: z.array(idSchema).max(50).optional(),
});

export const createRoleBodySchema = roleViewSchema.omit({ id: true, key: true }).extend({ name: z.string().trim().min(1).max(64) });
export const updateRoleBodySchema = roleViewSchema.omit({ id: true, key: true }).partial();

export const createShareBodySchema = z.object({
  customerId: idSchema, granteeType: z.enum(['user', 'unit']), granteeId: idSchema,
  access: z.enum(['read', 'write']), expiresAt: epochMsSchema.nullable().default(null),
});

export const setFieldLevelBodySchema = z.object({ entity: z.enum(ENTITY_TYPES), field: z.string().max(64), level: fieldLevel });

// ---- approvals ------------------------------------------------------------------------------

export const WIDENING_REASONS = [
  'actions_gained', 'scope_widened', 'read_clearance_raised', 'write_clearance_raised', 'offline_loosened',
  'units_gained', 'share_reach_gained', 'activated', 'share_granted', 'field_level_lowered',
] as const;

/** The change a request stands for; applying it runs the same code as a direct change. */
export const approvalChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user.create'), user: newUserFieldsSchema.required({ managedUnitIds: true }) }),
  z.object({ kind: z.literal('user.update'), userId: idSchema, patch: updateUserBodySchema }),
  z.object({ kind: z.literal('role.update'), roleId: idSchema, patch: updateRoleBodySchema }),
  z.object({ kind: z.literal('share.create'), share: createShareBodySchema.required({ expiresAt: true }) }),
  z.object({ kind: z.literal('classification.set'), change: setFieldLevelBodySchema }),
]);
export type ApprovalChange = z.infer<typeof approvalChangeSchema>;
export type ApprovalKind = ApprovalChange['kind'];

export const approvalViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['user.create', 'user.update', 'role.update', 'share.create', 'classification.set']),
  /** the admin permission an approver must hold */
  permission: z.string(),
  target: z.string(),
  change: approvalChangeSchema,
  reasons: z.array(z.enum(WIDENING_REASONS)),
  requestedBy: z.string(),
  requestedAt: epochMsSchema,
  status: z.enum(['pending', 'approved', 'rejected']),
  decidedBy: z.string().nullable(),
  decidedAt: epochMsSchema.nullable(),
});
export type ApprovalView = z.infer<typeof approvalViewSchema>;

/** What a change answers when it waits for a second administrator (HTTP 202). */
export const pendingApprovalSchema = z.object({ pendingApproval: approvalViewSchema });
