// `npm run server -- min-version show` and `min-version set <platform> <version>` (and `clear
// <platform>`): the IT command line's side of the minimum app version (min-version.ts).
// The CLI is trusted local access; its changes are audited with actor null ("cli").

import { APP_PLATFORMS, asAppPlatform, isSemver } from '../../shared/domain/app-version';
import type { MinAppVersions } from '../../shared/protocol/routes';
import type { Actor } from '../admin/service';
import type { ServerContext } from '../context';
import { minAppVersions, setMinAppVersion } from './min-version';

export const MIN_VERSION_USAGE = `  min-version show               the minimum app version per platform, and active devices below it
  min-version set <platform> <version>
                                 refuse check-in and sync from apps below <version> on <platform>
                                 (${APP_PLATFORMS.join(', ')}; a version such as 1.4.0)
  min-version clear <platform>   remove the platform's minimum`;

export class MinVersionUsageError extends Error {}

export function formatMinVersions(view: MinAppVersions): string {
  return APP_PLATFORMS.map((platform) => {
    const min = view.minimums.find((m) => m.platform === platform);
    const below = view.belowMinimum[platform] ?? 0;
    return min
      ? `${platform.padEnd(7)} minimum ${min.minVersion.padEnd(12)} set ${new Date(min.setAt).toISOString()} by ${min.setBy ?? 'cli'}; ${below} active device(s) below`
      : `${platform.padEnd(7)} no minimum`;
  }).join('\n');
}

/** Runs the command; returns what to print. */
export async function runMinVersionCommand(ctx: ServerContext, args: readonly string[], actor: Actor): Promise<string> {
  const [sub, platformArg, version] = args;
  if (sub === 'show' || sub === undefined) return formatMinVersions(await minAppVersions(ctx));
  if (sub !== 'set' && sub !== 'clear') throw new MinVersionUsageError(`unknown min-version command: ${sub}`);
  const platform = asAppPlatform(platformArg ?? '');
  if (!platform) throw new MinVersionUsageError(`min-version ${sub} needs a platform: ${APP_PLATFORMS.join(', ')}`);
  if (sub === 'clear') return formatMinVersions(await setMinAppVersion(ctx, platform, null, actor));
  if (!version || !isSemver(version)) throw new MinVersionUsageError('min-version set needs a version such as 1.4.0');
  return formatMinVersions(await setMinAppVersion(ctx, platform, version.trim(), actor));
}
