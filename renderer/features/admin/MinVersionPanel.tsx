import { App, Button, Input, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { APP_PLATFORMS, isBelowMinimum, SEMVER_PATTERN, type AppPlatform } from '../../../shared/domain/app-version';
import type { DeviceView, MinAppVersions } from '../../../shared/protocol/routes';
import { useApi, useLocale, useResult } from '../../app/context';
import { formatDateTime } from '../../lib/format';

export const PLATFORM_LABELS: Record<AppPlatform, string> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };

/** Active devices of `platform` whose version is below `minimum` (what a change would lock). */
export function countBelow(devices: readonly DeviceView[], platform: string, minimum: string | null | undefined): number {
  return devices.filter((d) => d.status === 'active' && d.platform === platform && isBelowMinimum(d.appVersion, minimum)).length;
}

/**
 * IT sets the minimum app version per platform: apps below it can no longer check in or sync and
 * lock (their data stays encrypted) until they are updated. The server decides and audits.
 */
export function MinVersionPanel({ versions, devices, onChange }: {
  versions: MinAppVersions | null;
  devices: readonly DeviceView[];
  onChange: (next: MinAppVersions) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const show = useResult();
  const { message } = App.useApp();
  const [drafts, setDrafts] = useState<Partial<Record<AppPlatform, string>>>({});
  const [busy, setBusy] = useState<AppPlatform | null>(null);

  async function save(platform: AppPlatform, minVersion: string | null) {
    setBusy(platform);
    const next = show(await api.adminSetMinVersion({ platform, minVersion }));
    setBusy(null);
    if (!next) return;
    onChange(next);
    setDrafts((d) => ({ ...d, [platform]: undefined }));
    void message.success(minVersion
      ? t('admin.minVersion.setDone', { platform: PLATFORM_LABELS[platform], version: minVersion })
      : t('admin.minVersion.clearedDone', { platform: PLATFORM_LABELS[platform] }));
  }

  const rows = APP_PLATFORMS.map((platform) => ({ platform, current: versions?.minimums.find((m) => m.platform === platform) ?? null }));
  return (
    <section className="sv-panel" aria-labelledby="sv-min-version-title" style={{ padding: 12, marginBottom: 12 }}>
      <Typography.Title level={2} id="sv-min-version-title" style={{ fontSize: 16, marginTop: 0 }}>
        {t('admin.minVersion.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{t('admin.minVersion.intro')}</Typography.Paragraph>
      <Table
        size="small"
        rowKey="platform"
        pagination={false}
        dataSource={rows}
        columns={[
          { key: 'platform', title: t('admin.minVersion.platform'), render: (_, r) => PLATFORM_LABELS[r.platform] },
          {
            key: 'minimum',
            title: t('admin.minVersion.minimum'),
            render: (_, r) => r.current
              ? <span data-min-version={r.platform}><code>{r.current.minVersion}</code> <Typography.Text type="secondary">{formatDateTime(r.current.setAt, locale)}</Typography.Text></span>
              : <span data-min-version={r.platform}><Typography.Text type="secondary">{t('admin.minVersion.none')}</Typography.Text></span>,
          },
          {
            key: 'below',
            title: t('admin.minVersion.below'),
            render: (_, r) => {
              const n = versions?.belowMinimum[r.platform] ?? 0;
              return <span data-below={r.platform}><Tag color={n > 0 ? 'orange' : 'default'}>{t('admin.minVersion.belowCount', { count: n })}</Tag></span>;
            },
          },
          {
            key: 'set',
            title: t('admin.minVersion.change'),
            render: (_, r) => {
              const draft = (drafts[r.platform] ?? '').trim();
              const valid = SEMVER_PATTERN.test(draft);
              const label = PLATFORM_LABELS[r.platform];
              return (
                <Space size={6} wrap>
                  <Input
                    size="small"
                    style={{ width: 120 }}
                    placeholder="1.4.0"
                    aria-label={t('admin.minVersion.inputLabel', { platform: label })}
                    value={drafts[r.platform] ?? ''}
                    status={draft && !valid ? 'error' : undefined}
                    onChange={(e) => setDrafts((d) => ({ ...d, [r.platform]: e.target.value }))}
                  />
                  <Popconfirm
                    title={t('admin.minVersion.confirmTitle', { platform: label, version: draft })}
                    description={<div style={{ maxWidth: 320 }}>{t('admin.minVersion.confirm', { platform: label, version: draft, count: countBelow(devices, r.platform, draft) })}</div>}
                    okText={t('admin.minVersion.set')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => save(r.platform, draft)}
                    disabled={!valid}
                  >
                    <Button size="small" type="primary" disabled={!valid} loading={busy === r.platform} aria-label={t('admin.minVersion.setFor', { platform: label })}>
                      {t('admin.minVersion.set')}
                    </Button>
                  </Popconfirm>
                  {r.current && (
                    <Button size="small" loading={busy === r.platform} onClick={() => void save(r.platform, null)} aria-label={t('admin.minVersion.clearFor', { platform: label })}>
                      {t('admin.minVersion.clear')}
                    </Button>
                  )}
                  {draft && !valid && <Typography.Text type="danger">{t('admin.minVersion.invalid')}</Typography.Text>}
                </Space>
              );
            },
          },
        ]}
      />
    </section>
  );
}
