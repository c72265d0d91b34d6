import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { APP_STATE_REASONS, type ApiError, type ApiErrorCode, type AppStateReason, type Locale } from '../../shared/api/desktop-api';
import { formatBytes } from '../lib/format';
import { en } from './en';
import { zhCN } from './zh-CN';

export const MESSAGES: Record<Locale, typeof zhCN> = { 'zh-CN': zhCN, en };
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/**
 * Every error code of the desktop API, as data. The Record type makes the compiler reject a
 * code added to ApiErrorCode without a place here (and so without translations).
 */
const ERROR_CODE_SET: Record<ApiErrorCode, true> = {
  validation_failed: true,
  not_signed_in: true,
  invalid_credentials: true,
  account_locked: true,
  mfa_invalid: true,
  rate_limited: true,
  server_unreachable: true,
  server_key_mismatch: true,
  insecure_server_url: true,
  forbidden: true,
  self_change: true,
  separation_of_duties: true,
  own_request: true,
  device_limit: true,
  not_found: true,
  locked: true,
  revoked: true,
  keychain_unavailable: true,
  vault_corrupt: true,
  disk_full: true,
  vault_key_missing: true,
  vault_damaged: true,
  vault_import_failed: true,
  sso_failed: true,
  app_update_required: true,
  unsent_changes: true,
  internal: true,
};
export const API_ERROR_CODES = Object.keys(ERROR_CODE_SET) as ApiErrorCode[];

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODE_SET, value);
}

/** The localized title and "what to do" of an API error; unknown codes read as `internal`. */
export function describeError(error: Pick<ApiError, 'code' | 'space' | 'retryAfterSeconds'>, locale: Locale): { title: string; action: string } {
  const code = isApiErrorCode(error.code) ? error.code : 'internal';
  const text = MESSAGES[locale].errors[code];
  if (code === 'account_locked' && error.retryAfterSeconds !== undefined) {
    // The server's own lock end, as a duration (the two clocks need not agree): whole minutes, at least 1.
    const minutes = Math.max(1, Math.ceil(error.retryAfterSeconds / 60));
    return { title: text.title, action: minutes === 1 ? MESSAGES[locale].lockedForOne : MESSAGES[locale].lockedFor.replace('{{count}}', String(minutes)) };
  }
  if (code !== 'disk_full' || !error.space) return text;
  // A full disk: how much to free, from the drive's own figures.
  const needed = Math.max(0, error.space.neededBytes - error.space.freeBytes);
  const figures = MESSAGES[locale].diskSpace
    .replace('{{needed}}', formatBytes(needed, locale))
    .replace('{{free}}', formatBytes(error.space.freeBytes, locale));
  return { title: text.title, action: `${text.action} ${figures}` };
}

function isAppStateReason(value: string): value is AppStateReason {
  return (APP_STATE_REASONS as readonly string[]).includes(value);
}

/**
 * The localized sentence for AppState.reason: a reason code, or the error code of a vault that
 * could not be opened (its error title). Anything else (a newer core's code, or a sentence
 * stored by an older version) is shown as it is rather than hidden.
 */
export function describeReason(reason: string, locale: Locale): string {
  if (isAppStateReason(reason)) return (MESSAGES[locale].reasons as Record<AppStateReason, string>)[reason];
  if (isApiErrorCode(reason)) return MESSAGES[locale].errors[reason].title;
  return reason;
}

export function initI18n(locale: Locale = DEFAULT_LOCALE): typeof i18next {
  if (!i18next.isInitialized) {
    void i18next.use(initReactI18next).init({
      resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
      lng: locale,
      fallbackLng: DEFAULT_LOCALE,
      // React escapes output already.
      interpolation: { escapeValue: false },
      returnNull: false,
      initAsync: false,
    });
  } else if (i18next.language !== locale) {
    void i18next.changeLanguage(locale);
  }
  return i18next;
}

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof zhCN };
  }
}
