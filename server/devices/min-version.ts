// The minimum app version per platform (docs/app-versions.md). IT sets it (admin API or CLI,
// audited); below it a device's check-in, pull and push are refused with 426
// app_update_required and the minimum in the body, so the app locks (its data stays encrypted
// on the device) until an updated app checks in. A version that is not a semantic version counts
// as below (shared/domain/app-version.ts). A device on a platform without a minimum is never
// refused.

import { APP_PLATFORMS, asAppPlatform, isBelowMinimum, type AppPlatform } from '../../shared/domain/app-version';
import type { MinAppVersions, MinAppVersionView, UpdateRequiredDetails } from '../../shared/protocol/routes';
import type { Actor } from '../admin/service';
import type { ServerContext } from '../context';
import { DomainError } from '../domain-error';

// Read on every check-in, pull and push: cached per server context for a few seconds. A change
// made in this process clears the cache at once; another process (PostgreSQL, several servers)
// sees it within this time.
const CACHE_MS = 5_000;
const cache = new WeakMap<ServerContext, { readAt: number; minimums: Map<AppPlatform, MinAppVersionView> }>();

export async function loadMinimums(ctx: ServerContext): Promise<Map<AppPlatform, MinAppVersionView>> {
  const cached = cache.get(ctx);
  if (cached && performance.now() - cached.readAt < CACHE_MS) return cached.minimums;
  const rows = await ctx.db.selectFrom('app_min_versions').selectAll().execute();
  const minimums = new Map<AppPlatform, MinAppVersionView>();
  for (const row of rows) {
    const platform = asAppPlatform(row.platform);
    if (platform) minimums.set(platform, { platform, minVersion: row.min_version, setBy: row.set_by, setAt: Number(row.set_at) });
  }
  cache.set(ctx, { readAt: performance.now(), minimums });
  return minimums;
}

/** What refuses a device: null when its version may check in and sync. */
export async function updateRequiredFor(ctx: ServerContext, platform: string, appVersion: string): Promise<UpdateRequiredDetails | null> {
  const p = asAppPlatform(platform);
  if (!p) return null;
  const minimum = (await loadMinimums(ctx)).get(p);
  if (!minimum || !isBelowMinimum(appVersion, minimum.minVersion)) return null;
  return { platform: p, minimum: minimum.minVersion, current: appVersion };
}

export function updateRequiredError(refused: UpdateRequiredDetails): DomainError {
  return new DomainError(
    'app_update_required',
    `SalesVault ${refused.current} is older than the minimum version ${refused.minimum} IT set for ${refused.platform}: install the update, then check in again`,
    refused,
  );
}

/** Throws app_update_required when `appVersion` is below the platform's minimum. */
export async function assertAppVersionAllowed(ctx: ServerContext, platform: string, appVersion: string): Promise<void> {
  const refused = await updateRequiredFor(ctx, platform, appVersion);
  if (refused) throw updateRequiredError(refused);
}

/** The minimums and, per platform, how many active devices are below theirs. */
export async function minAppVersions(ctx: ServerContext): Promise<MinAppVersions> {
  const minimums = await loadMinimums(ctx);
  const devices = await ctx.db.selectFrom('devices').select(['platform', 'app_version']).where('status', '=', 'active').execute();
  const belowMinimum: Record<string, number> = {};
  for (const platform of APP_PLATFORMS) belowMinimum[platform] = 0;
  for (const d of devices) {
    const p = asAppPlatform(d.platform);
    if (p && isBelowMinimum(d.app_version, minimums.get(p)?.minVersion)) belowMinimum[p] = (belowMinimum[p] ?? 0) + 1;
  }
  return { minimums: APP_PLATFORMS.flatMap((p) => minimums.get(p) ?? []), belowMinimum };
}

/** Set a platform's minimum (null removes it). Audited as admin.min_version.set. */
export async function setMinAppVersion(ctx: ServerContext, platform: AppPlatform, minVersion: string | null, actor: Actor): Promise<MinAppVersions> {
  const before = (await ctx.db.selectFrom('app_min_versions').select('min_version').where('platform', '=', platform).executeTakeFirst())?.min_version ?? null;
  const now = ctx.now();
  if (minVersion === null) {
    await ctx.db.deleteFrom('app_min_versions').where('platform', '=', platform).execute();
  } else {
    await ctx.db.insertInto('app_min_versions')
      .values({ platform, min_version: minVersion, set_by: actor.userId, set_at: now })
      .onConflict((oc) => oc.column('platform').doUpdateSet({ min_version: minVersion, set_by: actor.userId, set_at: now }))
      .execute();
  }
  cache.delete(ctx);
  const view = await minAppVersions(ctx);
  await ctx.audit.append({
    actorId: actor.userId, deviceId: actor.deviceId, action: 'admin.min_version.set', target: platform, outcome: 'ok',
    details: { platform, before, after: minVersion, activeDevicesBelow: view.belowMinimum[platform] ?? 0 },
  });
  return view;
}
