import { ReloadOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Segmented, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApprovalView } from '../../../shared/protocol/routes';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { formatDateTime } from '../../lib/format';
import { roleLabel } from '../../lib/role-label';
import { useLoad } from '../../lib/use-load';
import { indexById } from './admin-data';
import { describeApproval } from './approval-text';

const STATUS_COLORS = { pending: 'gold', approved: 'green', rejected: 'default' } as const;
type Filter = 'pending' | 'all';

/**
 * Changes that widen someone's access wait here for a second administrator (four eyes): the
 * list says what changes, who asked and when; another administrator approves or rejects. One's
 * own requests are listed but cannot be decided by oneself (the server refuses it too).
 */
export function ApprovalsView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const { message } = App.useApp();
  const [filter, setFilter] = useState<Filter>('pending');
  const approvals = useLoad(`approvals:${filter}`, () => api.adminListApprovals(filter === 'pending' ? { status: 'pending' } : {}));
  const users = useLoad('approval-users', () => api.adminListUsers());
  const roles = useLoad('approval-roles', () => api.adminListRoles());
  const units = useLoad('approval-units', () => api.adminListUnits());
  const unitById = indexById(units.value);
  const userById = indexById(users.value);
  const roleById = indexById(roles.value);
  const me = state.user?.id ?? null;
  const roleName = (id: string) => {
    const role = roleById.get(id);
    return role ? roleLabel(t, role) : id;
  };
  const nameOf = (id: string) => {
    const u = userById.get(id);
    return u ? `${u.displayName} (${u.username})` : id;
  };

  async function decide(approval: ApprovalView, verb: 'approve' | 'reject') {
    const result = show(await (verb === 'approve' ? api.adminApproveRequest({ id: approval.id }) : api.adminRejectRequest({ id: approval.id })));
    if (!result) return;
    void message.success(t(verb === 'approve' ? 'admin.approvals.approvedDone' : 'admin.approvals.rejectedDone'));
    await approvals.reload();
  }

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <h1>{t('admin.approvals.title')}</h1>
        <Space>
          <Segmented<Filter>
            value={filter}
            onChange={setFilter}
            options={[
              { value: 'pending', label: t('admin.approvals.filterPending') },
              { value: 'all', label: t('admin.approvals.filterAll') },
            ]}
          />
          <Button icon={<ReloadOutlined />} onClick={() => void approvals.reload()}>
            {t('common.refresh')}
          </Button>
        </Space>
      </div>
      <Typography.Paragraph type="secondary">{t('admin.approvals.intro')}</Typography.Paragraph>
      <Table<ApprovalView>
        className="sv-panel"
        size="small"
        rowKey="id"
        loading={approvals.loading}
        dataSource={approvals.value ?? []}
        locale={{ emptyText: t('admin.approvals.empty') }}
        pagination={{ pageSize: 50, size: 'small', hideOnSinglePage: true }}
        columns={[
          {
            key: 'change',
            title: t('admin.approvals.change'),
            render: (_, a) => (
              <div data-testid={`approval-${a.id}`}>
                <div>{describeApproval(a, t, { user: nameOf, role: roleName, unit: (id) => unitById.get(id)?.name ?? id })}</div>
                <Space size={4} wrap>
                  {a.reasons.map((r) => (
                    <Tag key={r} color="orange">
                      {t(`admin.approvals.reason.${r}`)}
                    </Tag>
                  ))}
                </Space>
              </div>
            ),
          },
          { key: 'requestedBy', title: t('admin.approvals.requestedBy'), render: (_, a) => nameOf(a.requestedBy) },
          { key: 'requestedAt', title: t('admin.approvals.requestedAt'), render: (_, a) => formatDateTime(a.requestedAt, locale) },
          {
            key: 'status',
            title: t('admin.approvals.status'),
            render: (_, a) => (
              <Tooltip title={a.decidedBy ? `${nameOf(a.decidedBy)} · ${a.decidedAt ? formatDateTime(a.decidedAt, locale) : ''}` : undefined}>
                <Tag color={STATUS_COLORS[a.status]}>{t(`admin.approvals.state.${a.status}`)}</Tag>
              </Tooltip>
            ),
          },
          {
            key: 'actions',
            title: t('common.actions'),
            width: 200,
            render: (_, a) => {
              if (a.status !== 'pending') return null;
              if (a.requestedBy === me) return <Tag>{t('admin.approvals.ownRequest')}</Tag>;
              return (
                <Space>
                  <Popconfirm
                    title={t('admin.approvals.approve')}
                    description={<div style={{ maxWidth: 320 }}>{t('admin.approvals.approveConfirm')}</div>}
                    okText={t('admin.approvals.approve')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => decide(a, 'approve')}
                  >
                    <Button type="primary" size="small">{t('admin.approvals.approve')}</Button>
                  </Popconfirm>
                  <Popconfirm
                    title={t('admin.approvals.reject')}
                    description={<div style={{ maxWidth: 320 }}>{t('admin.approvals.rejectConfirm')}</div>}
                    okText={t('admin.approvals.reject')}
                    okButtonProps={{ danger: true }}
                    cancelText={t('common.cancel')}
                    onConfirm={() => decide(a, 'reject')}
                  >
                    <Button danger size="small">{t('admin.approvals.reject')}</Button>
                  </Popconfirm>
                </Space>
              );
            },
          },
        ]}
      />
    </div>
  );
}
