// Single-use, short-lived tokens of the sign-in flow (password → mfa → enroll). Only a SHA-256 of
// each token is stored, so a copy of the database does not hand out live tokens.

import { createHash, randomBytes } from 'node:crypto';
import type { ServerContext } from '../context';
import type { AuthTokensTable } from '../db/schema';

export const AUTH_TOKEN_TTL_MS = 5 * 60 * 1000;

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function createAuthToken(ctx: ServerContext, kind: AuthTokensTable['kind'], userId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  // Opportunistic cleanup keeps the table small; expired tokens are useless anyway.
  await ctx.db.deleteFrom('auth_tokens').where('expires_at', '<', now - AUTH_TOKEN_TTL_MS).execute();
  await ctx.db
    .insertInto('auth_tokens')
    .values({ id: digest(token), kind, user_id: userId, expires_at: now + AUTH_TOKEN_TTL_MS, used_at: null })
    .execute();
  return token;
}

/** The user id of a live (unused, unexpired) token of `kind`, without using it up. */
export async function peekAuthToken(ctx: ServerContext, kind: AuthTokensTable['kind'], token: string): Promise<string | undefined> {
  const row = await ctx.db
    .selectFrom('auth_tokens')
    .select('user_id')
    .where('id', '=', digest(token))
    .where('kind', '=', kind)
    .where('used_at', 'is', null)
    .where('expires_at', '>', ctx.now())
    .executeTakeFirst();
  return row?.user_id;
}

/** Marks the token used; false when it was already used or expired (a concurrent use won). */
export async function consumeAuthToken(ctx: ServerContext, kind: AuthTokensTable['kind'], token: string): Promise<boolean> {
  const now = ctx.now();
  const result = await ctx.db
    .updateTable('auth_tokens')
    .set({ used_at: now })
    .where('id', '=', digest(token))
    .where('kind', '=', kind)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
