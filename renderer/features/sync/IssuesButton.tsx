import { WarningOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, Card, Drawer, Empty, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncIssue } from '../../../shared/api/desktop-api';
import { useApi, useAppState, useLocale, useResult, useSetAppState } from '../../app/context';
import { formatDateTime } from '../../lib/format';
import { useFieldLabel } from '../customers/field-specs';
import { useChangeValue } from './change-value';

/** Conflicts and rejected edits: kept, listed with yours/theirs, dismissible. */
export function IssuesButton() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const fieldLabel = useFieldLabel();
  const changeValue = useChangeValue();
  const setState = useSetAppState();
  const [open, setOpen] = useState(false);
  const [issues, setIssues] = useState<SyncIssue[] | null>(null);

  const load = useCallback(
    () =>
      api.listIssues().then((r) => {
        const value = show(r);
        if (value) setIssues(value);
      }),
    [api, show],
  );

  useEffect(() => {
    if (open) void load();
  }, [open, state.issueCount, load]);

  async function dismiss(id: string) {
    if (show(await api.dismissIssue({ id }))) setIssues((list) => list?.filter((i) => i.id !== id) ?? null);
  }

  async function resend(id: string) {
    const next = show(await api.retryIssue({ id }));
    if (!next) return;
    setState(next);
    setIssues((list) => list?.filter((i) => i.id !== id) ?? null);
  }

  const label = t('shell.issuesCount', { count: state.issueCount });
  return (
    <>
      <Tooltip title={label}>
        <Badge count={state.issueCount} size="small" offset={[-4, 4]}>
          <Button type="text" icon={<WarningOutlined />} aria-label={label} onClick={() => setOpen(true)} data-testid="issues-button" data-count={state.issueCount}>
            {t('shell.issues')}
          </Button>
        </Badge>
      </Tooltip>
      <Drawer title={t('issues.title')} open={open} onClose={() => setOpen(false)} size={560}>
        {issues && issues.length === 0 && <Empty description={t('issues.empty')} />}
        <Space orientation="vertical" style={{ width: '100%' }}>
          {(issues ?? []).map((issue) => (
            <Card
              key={issue.id}
              size="small"
              title={
                <span>
                  <Tag color={issue.kind === 'conflict' ? 'orange' : 'red'}>{t(issue.kind === 'conflict' ? 'issues.conflict' : 'issues.rejected')}</Tag>
                  {t(`entity.${issue.entity}`)}
                  {issue.activityKind && <> · {t(`activityKinds.${issue.activityKind}`, { defaultValue: issue.activityKind })}</>}
                  {issue.label && <> · {issue.label}</>}
                </span>
              }
              extra={
                <Space size={4}>
                  {issue.resendable && (
                    <Button size="small" type="primary" ghost onClick={() => resend(issue.id)} aria-label={`${t('issues.resend')}: ${issue.label}`}>
                      {t('issues.resend')}
                    </Button>
                  )}
                  <Button size="small" onClick={() => dismiss(issue.id)} aria-label={`${t('issues.dismiss')}: ${issue.label}`}>
                    {t('issues.dismiss')}
                  </Button>
                </Space>
              }
            >
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
                {formatDateTime(issue.createdAt, locale)} · {issue.kind === 'conflict' ? t('issues.conflictHelp') : t('issues.rejectedHelp')}
              </Typography.Paragraph>
              {issue.reason && <Alert type="warning" showIcon title={t('issues.reason', { reason: issue.reason })} style={{ marginBottom: 8 }} />}
              {issue.conflicts.length > 0 && (
                <Table
                  size="small"
                  pagination={false}
                  rowKey="field"
                  dataSource={issue.conflicts}
                  columns={[
                    { title: t('issues.field'), dataIndex: 'field', render: (f: string) => fieldLabel(issue.entity, f) },
                    { title: t('issues.yours'), dataIndex: 'yours', render: (v: unknown, row: { field: string }) => changeValue(issue.entity, row.field, v) },
                    { title: t('issues.theirs'), dataIndex: 'theirs', render: (v: unknown, row: { field: string }) => changeValue(issue.entity, row.field, v) },
                  ]}
                />
              )}
            </Card>
          ))}
        </Space>
      </Drawer>
    </>
  );
}
