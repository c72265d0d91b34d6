import { CloudDownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Progress, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, useAppState, useLocale, useResult, useSetAppState } from '../app/context';
import { describeError } from '../i18n';
import { formatNumber } from '../lib/format';
import { AuthFrame } from './AuthFrame';

export function FirstSyncScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const setState = useSetAppState();
  const show = useResult();
  const locale = useLocale();
  const progress = state.progress;
  const done = progress?.done ?? 0;
  const total = progress?.total ?? null;
  const percent = total ? Math.min(100, Math.floor((done / total) * 100)) : undefined;
  const stage = progress?.stage;
  // The index builds after the last page are named: the bar is full but the sync is not done yet.
  const label =
    stage === 'indexes' || stage === 'search'
      ? t(stage === 'indexes' ? 'firstSync.stageIndexes' : 'firstSync.stageSearch', { done: formatNumber(done, locale) })
      : total
        ? t('firstSync.progressOf', { done: formatNumber(done, locale), total: formatNumber(total, locale) })
        : t('firstSync.progress', { done: formatNumber(done, locale) });
  const failed = state.sync.status === 'error' && state.sync.lastError;
  const [retrying, setRetrying] = useState(false);

  // The first sync resumes from where it stopped (the core keeps the cursor).
  async function retry() {
    setRetrying(true);
    const next = show(await api.syncNow());
    setRetrying(false);
    if (next) setState(next);
  }
  return (
    <AuthFrame>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        <CloudDownloadOutlined aria-hidden /> {t('firstSync.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('firstSync.description')}</Typography.Paragraph>
      <Progress
        percent={percent ?? 100}
        status={failed ? 'exception' : 'active'}
        showInfo={percent !== undefined}
        aria-label={t('firstSync.title')}
        aria-valuenow={percent}
        aria-valuetext={label}
      />
      <Typography.Text role="status" aria-live="polite">
        {label}
      </Typography.Text>
      {failed && state.sync.lastError && (
        <Alert
          style={{ marginTop: 12 }}
          type="error"
          showIcon
          role="alert"
          title={describeError({ code: state.sync.lastError }, locale).title}
          description={describeError({ code: state.sync.lastError }, locale).action}
          action={
            <Button size="small" loading={retrying} onClick={retry}>
              {t('common.retry')}
            </Button>
          }
        />
      )}
    </AuthFrame>
  );
}
