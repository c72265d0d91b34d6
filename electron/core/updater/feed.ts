// Where the app looks for updates: the company's own update server (electron-updater's generic
// provider), taken from configuration — never a vendor's service. In order:
//   1. the environment variable SALESVAULT_UPDATE_URL (IT's deployment tooling, or a test)
//   2. update-feed.json beside the app's resources: { "url": "https://updates.example.com/salesvault/" }
//   3. the `publish` URL the build was made with (build/electron-builder.json)
// Only https:// is accepted (http:// to this computer for development); anything else means
// "no feed", and the app then cannot update itself.

import { checkServerUrl } from '../../../shared/protocol/server-url';

export interface FeedSources {
  env?: string | undefined;
  /** the text of update-feed.json, when the file exists */
  feedFile?: string | null;
  /** the URL electron-builder's `publish` configuration wrote into the app (app-update.yml) */
  builtIn?: string | null;
}

export type FeedResolution = { ok: true; url: string; source: 'env' | 'file' | 'build' } | { ok: false; url: null; problem: string };

export function resolveUpdateFeed(sources: FeedSources): FeedResolution {
  const candidates: { value: string | null | undefined; source: 'env' | 'file' | 'build' }[] = [
    { value: sources.env?.trim(), source: 'env' },
    { value: fromFeedFile(sources.feedFile), source: 'file' },
    { value: sources.builtIn?.trim(), source: 'build' },
  ];
  for (const { value, source } of candidates) {
    if (!value) continue;
    const checked = checkServerUrl(value);
    if (!checked.ok) return { ok: false, url: null, problem: `the update feed from ${source} is refused (${checked.reason}): use https://` };
    return { ok: true, url: checked.url.endsWith('/') ? checked.url : `${checked.url}/`, source };
  }
  return { ok: false, url: null, problem: 'no update feed is configured (SALESVAULT_UPDATE_URL, update-feed.json or the build\'s publish URL)' };
}

function fromFeedFile(text: string | null | undefined): string | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as { url?: unknown };
    return typeof parsed.url === 'string' ? parsed.url : null;
  } catch {
    return null;
  }
}
