import { describe, expect, it } from 'vitest';
import { APP_STATE_REASONS } from '../../shared/api/desktop-api';
import { API_ERROR_CODES, describeError, describeReason, isApiErrorCode, MESSAGES } from './index';

type Tree = { [key: string]: string | Tree };

/** "a.b.c" → text for every leaf of a message tree. */
function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of leaves(value, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('messages', () => {
  const zh = leaves(MESSAGES['zh-CN'] as unknown as Tree);
  const en = leaves(MESSAGES.en as unknown as Tree);

  it('has the same keys in zh-CN and en', () => {
    const missingInEn = [...zh.keys()].filter((k) => !en.has(k));
    const missingInZh = [...en.keys()].filter((k) => !zh.has(k));
    expect(missingInEn).toEqual([]);
    expect(missingInZh).toEqual([]);
    expect(zh.size).toBeGreaterThan(200);
  });

  it('has no empty text and the same {{placeholders}} in both languages', () => {
    for (const [key, text] of zh) {
      expect(text.trim(), `zh-CN ${key}`).not.toBe('');
      expect(en.get(key)!.trim(), `en ${key}`).not.toBe('');
      expect(placeholders(en.get(key)!), `placeholders of ${key}`).toEqual(placeholders(text));
    }
  });

  it('really is Chinese in zh-CN and not in en for the visible texts', () => {
    const cjk = /[\u4e00-\u9fff]/;
    expect(cjk.test(MESSAGES['zh-CN'].signIn.title)).toBe(true);
    const enWithCjk = [...en].filter(([, text]) => cjk.test(text)).map(([k]) => k);
    // Only the language names themselves may be written in Chinese in the English UI.
    expect(enWithCjk).toEqual([]);
  });
});

describe('error messages', () => {
  it('cover every ApiErrorCode in both languages with what happened and what to do', () => {
    expect(API_ERROR_CODES).toHaveLength(27);
    for (const code of API_ERROR_CODES) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const text = MESSAGES[locale].errors[code];
        expect(text, `${locale} ${code}`).toBeDefined();
        expect(text.title.length, `${locale} ${code} title`).toBeGreaterThan(3);
        expect(text.action.length, `${locale} ${code} action`).toBeGreaterThan(8);
      }
    }
    // Every translated error is a real code (no stale entries).
    expect(Object.keys(MESSAGES['zh-CN'].errors).sort()).toEqual([...API_ERROR_CODES].sort());
    expect(Object.keys(MESSAGES.en.errors).sort()).toEqual([...API_ERROR_CODES].sort());
  });

  it('describes an unknown code as an internal error instead of failing', () => {
    expect(isApiErrorCode('mfa_invalid')).toBe(true);
    expect(isApiErrorCode('toString')).toBe(false);
    expect(describeError({ code: 'no_such_code' as never }, 'en')).toEqual(MESSAGES.en.errors.internal);
    expect(describeError({ code: 'revoked' }, 'zh-CN').title).toBe('此设备的访问权限已被撤销');
  });

  it('says how much space to free on a full disk when the drive’s figures came with the error', () => {
    const space = { freeBytes: 3_200_000, neededBytes: 50_000_000 };
    expect(describeError({ code: 'disk_full', space }, 'en').action).toBe(
      `${MESSAGES.en.errors.disk_full.action} Free at least 47 MB on that drive (3.2 MB is free now).`,
    );
    expect(describeError({ code: 'disk_full', space: { freeBytes: 0, neededBytes: 2_500_000_000 } }, 'zh-CN').action).toBe(
      `${MESSAGES['zh-CN'].errors.disk_full.action} 请在该磁盘上至少再腾出 2.5 GB（当前可用 0 MB）。`,
    );
    // Without figures (a sync in the background) the action stands alone.
    expect(describeError({ code: 'disk_full' }, 'en')).toEqual(MESSAGES.en.errors.disk_full);
  });
});

describe('a locked account', () => {
  it('says for how long, in whole minutes rounded up, from the seconds the server sent', () => {
    expect(describeError({ code: 'account_locked', retryAfterSeconds: 11 * 60 }, 'en').action).toBe(
      'Too many failed sign-ins. Try again in 11 minutes, or ask IT to unlock the account.',
    );
    expect(describeError({ code: 'account_locked', retryAfterSeconds: 61 }, 'zh-CN').action).toBe('登录失败次数过多。请在 2 分钟后重试，或请 IT 解锁账号。');
    expect(describeError({ code: 'account_locked', retryAfterSeconds: 5 }, 'en').action).toBe(MESSAGES.en.lockedForOne);
    // Without the figure (an older server) the general advice stands.
    expect(describeError({ code: 'account_locked' }, 'en')).toEqual(MESSAGES.en.errors.account_locked);
  });
});

describe('state reasons', () => {
  it('translate every AppState reason code in both languages, and nothing else', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      expect(Object.keys(MESSAGES[locale].reasons).sort()).toEqual([...APP_STATE_REASONS].sort());
      for (const code of APP_STATE_REASONS) {
        expect(describeReason(code, locale), `${locale} ${code}`).not.toBe(code);
        expect(describeReason(code, locale).length).toBeGreaterThan(5);
      }
    }
    expect(describeReason('lease_expired', 'zh-CN')).toBe('离线租约已到期，本机未及时与服务器核验。');
    expect(describeReason('device_revoked', 'en')).toBe('an administrator revoked this device; its local data was erased.');
  });

  it('shows a vault error code by its error title and an unknown code as it is', () => {
    expect(describeReason('keychain_unavailable', 'en')).toBe(MESSAGES.en.errors.keychain_unavailable.title);
    expect(describeReason('some_future_code', 'zh-CN')).toBe('some_future_code');
    expect(describeReason('toString', 'en')).toBe('toString');
  });
});
