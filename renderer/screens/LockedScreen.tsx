import { LockOutlined } from '@ant-design/icons';
import { Alert, Button, Result, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../shared/api/desktop-api';
import { useApi, useAppState, useLocale, useSetAppState } from '../app/context';
import { describeError, describeReason } from '../i18n';
import { formatDateTime } from '../lib/format';
import { AuthFrame } from './AuthFrame';

/** Offline lease expired: the data stays encrypted until a check-in (syncNow) succeeds. */
export function LockedScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const setState = useSetAppState();
  const locale = useLocale();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function reconnect() {
    setBusy(true);
    setError(null);
    const r = await api.syncNow();
    setBusy(false);
    if (r.ok) setState(r.value);
    else setError(r.error);
  }

  const leaseHours =
    state.leaseUntil && state.lastSyncAt ? Math.round((state.leaseUntil - state.lastSyncAt) / 3600_000) : null;
  const err = error ?? (state.sync.lastError ? { code: state.sync.lastError, message: '' } : null);
  return (
    <AuthFrame width={520}>
      <Result
        status="warning"
        icon={<LockOutlined aria-hidden />}
        title={<span role="heading" aria-level={1}>{t('locked.title')}</span>}
        subTitle={leaseHours ? t('locked.description', { hours: t('format.hours', { count: leaseHours }) }) : t('locked.descriptionNoLease')}
        style={{ padding: '8px 0' }}
        extra={
          <Button type="primary" size="large" loading={busy} onClick={reconnect}>
            {state.online ? t('locked.checkIn') : t('locked.retry')}
          </Button>
        }
      >
        <Space orientation="vertical" size={6}>
          {/* Reachable (the event stream is up): one click checks in; otherwise connect first. */}
          <Typography.Text strong>{state.online ? t('locked.whatOnline') : t('locked.what')}</Typography.Text>
          {state.reason && <Typography.Text type="secondary">{t('locked.reason', { reason: describeReason(state.reason, locale) })}</Typography.Text>}
          <Typography.Text type="secondary">
            {t('locked.lastSync', { time: state.lastSyncAt ? formatDateTime(state.lastSyncAt, locale) : t('common.never') })}
          </Typography.Text>
          {state.wipeAfter && <Typography.Text type="warning">{t('locked.wipeAt', { time: formatDateTime(state.wipeAfter, locale) })}</Typography.Text>}
        </Space>
      </Result>
      {err && (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={describeError(err, locale).title}
          description={describeError(err, locale).action}
        />
      )}
    </AuthFrame>
  );
}
