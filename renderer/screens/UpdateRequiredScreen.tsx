import { CloudDownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Progress, Result, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, UpdateStatus } from '../../shared/api/desktop-api';
import { useApi, useAppState, useLocale, useSetAppState } from '../app/context';
import { describeError } from '../i18n';
import { formatDateTime } from '../lib/format';
import { AuthFrame } from './AuthFrame';

const PLATFORM_NAMES: Record<string, string> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };

/**
 * The server refuses this app's version (below IT's minimum for the platform): the data stays
 * encrypted on this computer, nothing is erased; an updated app (or a lowered minimum) unlocks
 * at its next check-in.
 */
export function UpdateRequiredScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const setState = useSetAppState();
  const locale = useLocale();
  const [busy, setBusy] = useState<'check' | 'checkIn' | 'install' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const required = state.updateRequired ?? null;
  const update: UpdateStatus = state.update ?? { state: 'unavailable', version: null, percent: null, message: null };

  async function checkForUpdates() {
    setBusy('check');
    setError(null);
    const r = await api.checkForUpdates();
    setBusy(null);
    if (!r.ok) setError(r.error);
  }

  async function install() {
    setBusy('install');
    const r = await api.installUpdate();
    setBusy(null);
    if (!r.ok) setError(r.error);
  }

  async function checkIn() {
    setBusy('checkIn');
    setError(null);
    const r = await api.syncNow();
    setBusy(null);
    if (r.ok) setState(r.value);
    // Still refused: the screen stays, and says so below.
    else if (r.error.code !== 'app_update_required') setError(r.error);
  }

  const minimum = required?.minimum ?? '—';
  return (
    <AuthFrame width={560}>
      <Result
        status="warning"
        icon={<CloudDownloadOutlined aria-hidden style={{ fontSize: 48 }} />}
        title={<span role="heading" aria-level={1}>{t('updateRequired.title')}</span>}
        subTitle={t('updateRequired.description', { minimum, platform: PLATFORM_NAMES[required?.platform ?? ''] ?? required?.platform ?? '' })}
        style={{ padding: 0 }}
        extra={
          <Space wrap>
            {update.state === 'downloaded' ? (
              <Button type="primary" size="large" loading={busy === 'install'} onClick={install}>
                {t('updateRequired.install', { version: update.version ?? '' })}
              </Button>
            ) : (
              <Button type="primary" size="large" loading={busy === 'check' || update.state === 'checking'} onClick={checkForUpdates}>
                {t('updateRequired.check')}
              </Button>
            )}
            <Button size="large" loading={busy === 'checkIn'} onClick={checkIn}>
              {t('updateRequired.checkIn')}
            </Button>
          </Space>
        }
      >
        <Space orientation="vertical" size={8} style={{ width: '100%' }}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('updateRequired.thisVersion')}>{required?.current ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('updateRequired.minimum')}>{minimum}</Descriptions.Item>
            <Descriptions.Item label={t('updateRequired.lastSync')}>
              {state.lastSyncAt ? formatDateTime(state.lastSyncAt, locale) : t('common.never')}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Text strong>{t('updateRequired.what')}</Typography.Text>
          <Typography.Text type="secondary">{t('updateRequired.safe')}</Typography.Text>
          {state.outboxCount > 0 && <Typography.Text type="secondary">{t('updateRequired.outbox', { count: state.outboxCount })}</Typography.Text>}
        </Space>
      </Result>
      <UpdateProgress status={update} minimum={minimum} />
      {error && (
        <Alert type="error" showIcon role="alert" title={describeError(error, locale).title} description={describeError(error, locale).action} />
      )}
    </AuthFrame>
  );
}

/** What the updater is doing, in words (and a bar while it downloads). */
function UpdateProgress({ status, minimum }: { status: UpdateStatus; minimum: string }) {
  const { t } = useTranslation();
  switch (status.state) {
    case 'idle':
      return null;
    case 'unavailable':
      return <Alert type="info" showIcon role="status" title={t('updateRequired.status.unavailable')} description={t('updateRequired.status.unavailableWhat', { minimum })} />;
    case 'checking':
      return <Alert type="info" showIcon role="status" title={t('updateRequired.status.checking')} />;
    case 'not-available':
      return <Alert type="warning" showIcon role="status" title={t('updateRequired.status.notAvailable')} description={t('updateRequired.status.notAvailableWhat', { minimum })} />;
    case 'available':
    case 'downloading':
      return (
        <Alert
          type="info"
          showIcon
          role="status"
          title={t('updateRequired.status.downloading', { version: status.version ?? '' })}
          description={<Progress percent={Math.round(status.percent ?? 0)} size="small" />}
        />
      );
    case 'downloaded':
      return <Alert type="success" showIcon role="status" title={t('updateRequired.status.downloaded', { version: status.version ?? '' })} description={t('updateRequired.status.downloadedWhat')} />;
    case 'error':
      return <Alert type="error" showIcon role="alert" title={t('updateRequired.status.error')} description={t('updateRequired.status.errorWhat', { minimum })} />;
  }
}
