import { CheckCircleOutlined, ExclamationCircleOutlined, SyncOutlined } from '@ant-design/icons';
import { Button, Space, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, useAppState, useLocale, useResult, useSetAppState } from '../../app/context';
import { describeError } from '../../i18n';
import { formatDateTime, formatRelative } from '../../lib/format';
import { useNow } from '../../lib/use-now';

/** Last sync time, a spinner while syncing, the last error, and "sync now". */
export function SyncStatus() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const setState = useSetAppState();
  const show = useResult();
  const locale = useLocale();
  const now = useNow(30_000);
  const [requested, setRequested] = useState(false);
  const syncing = requested || state.sync.status === 'syncing';

  let icon = <CheckCircleOutlined style={{ color: '#16a34a' }} aria-hidden />;
  let text = state.lastSyncAt
    ? t('shell.lastSync', { time: formatRelative(state.lastSyncAt, Math.max(now, state.lastSyncAt), locale) })
    : t('shell.neverSynced');
  if (syncing) {
    icon = <SyncOutlined spin aria-hidden />;
    text = t('shell.syncing');
  } else if (state.sync.status === 'error' && state.sync.lastError) {
    icon = <ExclamationCircleOutlined style={{ color: '#dc2626' }} aria-hidden />;
    text = t('shell.syncError', { error: describeError({ code: state.sync.lastError }, locale).title });
  }

  return (
    <Space size={4} data-testid="sync-status">
      <Tooltip title={state.lastSyncAt ? formatDateTime(state.lastSyncAt, locale) : undefined}>
        <Typography.Text type="secondary" role="status" aria-live="polite" style={{ fontSize: 12 }}>
          {icon} {text}
        </Typography.Text>
      </Tooltip>
      <Tooltip title={t('shell.syncNow')}>
        <Button
          size="small"
          type="text"
          icon={<SyncOutlined />}
          aria-label={t('shell.syncNow')}
          disabled={syncing}
          onClick={async () => {
            setRequested(true);
            const next = show(await api.syncNow());
            setRequested(false);
            if (next) setState(next);
          }}
        />
      </Tooltip>
    </Space>
  );
}
