import { z } from 'zod';
import { epochMsSchema, idSchema } from './common';

// The recycle bin of deleted customers (docs/reassign-and-delete.md): a deleted customer leaves
// every vault at the next sync and can be restored for RECYCLE_BIN_DAYS, then it is purged.

export const RECYCLE_BIN_DAYS = 30;
export const RECYCLE_BIN_MS = RECYCLE_BIN_DAYS * 86_400_000;

/** One deleted customer as a holder of customer.delete over it sees it. */
export const recycleBinItemSchema = z.object({
  customerId: idSchema,
  /** null when the name is above the reader's clearance */
  name: z.string().nullable(),
  ownerId: idSchema,
  ownerName: z.string(),
  /** null: deleted by the server itself */
  deletedBy: idSchema.nullable(),
  deletedByName: z.string().nullable(),
  deletedAt: epochMsSchema,
  /** when the server erases it for good */
  purgeAt: epochMsSchema,
});
export type RecycleBinItem = z.infer<typeof recycleBinItemSchema>;

export const recycleBinResponseSchema = z.object({ items: z.array(recycleBinItemSchema), serverTime: epochMsSchema });
export type RecycleBinList = z.infer<typeof recycleBinResponseSchema>;
