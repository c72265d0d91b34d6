import { ArrowLeftOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, DatePicker, Form, Input, InputNumber, Modal, Radio, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_ROLES } from '../../../shared/permissions/default-roles';
import type { ReviewCampaignView, ReviewFlag, ReviewItemView } from '../../../shared/protocol/routes';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { capabilitiesOf } from '../../lib/capabilities';
import { ExportMenu } from '../../app/ExportMenu';
import { formatDate, formatDateTime } from '../../lib/format';
import { roleLabel } from '../../lib/role-label';
import { useLoad } from '../../lib/use-load';
import { mayDecide } from './review-rules';

const FLAG_COLORS: Record<ReviewFlag, string> = { stale: 'gold', moved: 'blue', privileged: 'red', role_changed: 'purple' };
const DECISION_COLORS = { certified: 'green', revoked: 'red', pending: 'default' } as const;
type Decision = 'certify' | 'revoke';

/** Access-review campaigns (periodic re-certification of users' access): list, create, decide items, export the results. */
export function ReviewsView() {
  const [openId, setOpenId] = useState<string | null>(null);
  return openId ? <CampaignDetail id={openId} onBack={() => setOpenId(null)} /> : <CampaignList onOpen={setOpenId} />;
}

function CampaignList({ onOpen }: { onOpen: (id: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const can = capabilitiesOf(state.user);
  const campaigns = useLoad('reviews', () => api.reviewsList());
  const [creating, setCreating] = useState(false);

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <h1>{t('reviews.title')}</h1>
        <Space>
          <Tooltip title={t('common.refresh')}>
            <Button icon={<ReloadOutlined />} aria-label={t('common.refresh')} onClick={() => void campaigns.reload()} />
          </Tooltip>
          {can.conductReviews && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('reviews.create')}
            </Button>
          )}
        </Space>
      </div>
      <Table<ReviewCampaignView>
        className="sv-panel"
        size="small"
        rowKey="id"
        loading={campaigns.loading}
        dataSource={campaigns.value ?? []}
        pagination={{ pageSize: 50, size: 'small', hideOnSinglePage: true }}
        locale={{ emptyText: t('reviews.empty') }}
        columns={[
          { key: 'name', title: t('reviews.name'), render: (_, c) => <Typography.Text strong>{c.name}</Typography.Text> },
          {
            key: 'status',
            title: t('reviews.status'),
            render: (_, c) => <Tag color={c.status === 'open' ? 'blue' : 'default'}>{t(`reviews.statuses.${c.status}`)}</Tag>,
          },
          { key: 'progress', title: t('reviews.progress'), render: (_, c) => t('reviews.progressValue', { decided: c.decided, items: c.items }) },
          {
            key: 'due',
            title: t('reviews.due'),
            // Within the reminder window: how long is left; past it: the setting is being applied.
            render: (_, c) => {
              const daysLeft = Math.ceil((c.dueAt - Date.now()) / 86_400_000);
              return (
                <Space size={4} wrap>
                  <span>{formatDate(c.dueAt, locale)}</span>
                  {c.status === 'open' && c.decided < c.items && daysLeft <= 0 && <Tag color="red">{t('reviews.pastDue')}</Tag>}
                  {c.status === 'open' && c.decided < c.items && daysLeft > 0 && daysLeft <= Math.max(c.reminderDays, 1) && (
                    <Tag color="orange">{t('reviews.dueIn', { count: daysLeft })}</Tag>
                  )}
                </Space>
              );
            },
          },
          {
            key: 'dueAction',
            title: t('reviews.atDueDate'),
            render: (_, c) => (
              <Space size={4} wrap>
                <Tag color={c.dueAction === 'revoke' ? 'red' : 'green'}>{t(`reviews.dueActions.${c.dueAction}`)}</Tag>
                {c.closeReason === 'due_date' && <Tag>{t('reviews.closedByDueDate')}</Tag>}
              </Space>
            ),
          },
          { key: 'created', title: t('reviews.createdAt'), render: (_, c) => formatDateTime(c.createdAt, locale) },
          {
            key: 'open',
            title: t('common.actions'),
            width: 90,
            render: (_, c) => (
              <Button size="small" aria-label={t('reviews.openAria', { name: c.name })} onClick={() => onOpen(c.id)}>
                {t('reviews.open')}
              </Button>
            ),
          },
        ]}
      />
      <CreateCampaignModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false);
          campaigns.setValue((list) => [c, ...(list ?? [])]);
          onOpen(c.id);
        }}
      />
    </div>
  );
}

interface CreateForm {
  name: string;
  due: Dayjs;
  staleDays: number;
  dueAction: 'keep' | 'revoke';
  reminderDays: number;
}

function CreateCampaignModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (c: ReviewCampaignView) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const { message } = App.useApp();
  const [form] = Form.useForm<CreateForm>();
  const [saving, setSaving] = useState(false);

  async function submit() {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    const created = show(await api.reviewCreate({
      name: v.name.trim(), dueAt: v.due.endOf('day').valueOf(), staleDays: v.staleDays, dueAction: v.dueAction, reminderDays: v.reminderDays,
    }));
    setSaving(false);
    if (!created) return;
    void message.success(t('reviews.created', { count: created.items }));
    form.resetFields();
    onCreated(created);
  }

  return (
    <Modal open={open} title={t('reviews.createTitle')} onCancel={onClose} onOk={submit} confirmLoading={saving} okText={t('common.create')} cancelText={t('common.cancel')} forceRender>
      <Typography.Paragraph type="secondary">{t('reviews.createHint')}</Typography.Paragraph>
      <Form form={form} name="review-create" layout="vertical" initialValues={{ due: dayjs().add(14, 'day'), staleDays: 30, dueAction: 'keep', reminderDays: 3 }}>
        <Form.Item name="name" label={t('reviews.name')} rules={[{ required: true, whitespace: true, max: 100, message: t('common.required', { field: t('reviews.name') }) }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="due" label={t('reviews.dueDate')} rules={[{ required: true, message: t('common.required', { field: t('reviews.dueDate') }) }]}>
          <DatePicker disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
        </Form.Item>
        <Form.Item name="staleDays" label={t('reviews.staleDays')} extra={t('reviews.staleDaysHelp')} rules={[{ required: true, message: t('common.required', { field: t('reviews.staleDays') }) }]}>
          <InputNumber min={1} max={3650} precision={0} />
        </Form.Item>
        <Form.Item name="dueAction" label={t('reviews.atDueDate')} extra={t('reviews.dueActionHelp')}>
          <Radio.Group
            options={[
              { value: 'keep', label: t('reviews.dueActions.keep') },
              { value: 'revoke', label: t('reviews.dueActions.revoke') },
            ]}
          />
        </Form.Item>
        <Form.Item name="reminderDays" label={t('reviews.reminderDays')} extra={t('reviews.reminderDaysHelp')}>
          <InputNumber min={0} max={90} precision={0} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function CampaignDetail({ id, onBack }: { id: string; onBack: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const { message } = App.useApp();
  const [mine, setMine] = useState(false);
  const detail = useLoad(`review:${id}:${mine}`, () => api.reviewGet({ id, mine }));
  const [deciding, setDeciding] = useState<{ item: ReviewItemView; decision: Decision } | null>(null);
  const campaign = detail.value?.campaign ?? null;
  const items = detail.value?.items ?? [];
  // Reviewers are active users, so their names are in the campaign's own snapshots.
  const nameOf = new Map(items.map((i) => [i.userId, i.snapshot.displayName]));
  const canDecideAny = !!campaign && items.some((i) => mayDecide(state.user, campaign, i));


  function decided(result: { item: ReviewItemView; campaign: ReviewCampaignView }) {
    setDeciding(null);
    void message.success(t('reviews.decided'));
    detail.setValue((prev) => prev && { campaign: result.campaign, items: prev.items.map((i) => (i.id === result.item.id ? result.item : i)) });
  }

  const roleKey = (roleId: string) => DEFAULT_ROLES.find((r) => r.id === roleId)?.key ?? null;

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <Space>
          <Tooltip title={t('reviews.back')}>
            <Button icon={<ArrowLeftOutlined />} aria-label={t('reviews.back')} onClick={onBack} />
          </Tooltip>
          <h1>{campaign?.name ?? t('reviews.title')}</h1>
          {campaign && <Tag color={campaign.status === 'open' ? 'blue' : 'default'}>{t(`reviews.statuses.${campaign.status}`)}</Tag>}
          {campaign && <Typography.Text type="secondary">{t('reviews.progressValue', { decided: campaign.decided, items: campaign.items })} · {t('reviews.due')} {formatDate(campaign.dueAt, locale)} · {t('reviews.atDueDate')}: {t(`reviews.dueActions.${campaign.dueAction}`)}</Typography.Text>}
        </Space>
        <Space>
          <Switch checked={mine} onChange={setMine} aria-label={t('reviews.onlyMine')} id="reviews-only-mine" />
          <label htmlFor="reviews-only-mine">{t('reviews.onlyMine')}</label>
          <Tooltip title={t('common.refresh')}>
            <Button icon={<ReloadOutlined />} aria-label={t('common.refresh')} onClick={() => void detail.reload()} />
          </Tooltip>
          <ExportMenu run={(format) => api.reviewExport({ id, format })} />
        </Space>
      </div>
      {campaign && !canDecideAny && campaign.status === 'open' && (
        <Alert style={{ marginBottom: 12 }} type="info" showIcon role="status" title={t('reviews.readOnly')} />
      )}
      <Table<ReviewItemView>
        className="sv-panel"
        size="small"
        rowKey="id"
        loading={detail.loading}
        dataSource={items}
        pagination={{ pageSize: 100, size: 'small', hideOnSinglePage: true }}
        locale={{ emptyText: t('reviews.itemsEmpty') }}
        scroll={{ x: 'max-content' }}
        columns={[
          {
            key: 'user',
            title: t('reviews.user'),
            render: (_, i) => (
              <span>
                {i.snapshot.displayName} <Typography.Text type="secondary">({i.snapshot.username})</Typography.Text>
                {i.snapshot.unitName && (
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>{i.snapshot.unitName}</Typography.Text>
                  </div>
                )}
              </span>
            ),
          },
          { key: 'role', title: t('reviews.role'), render: (_, i) => roleLabel(t, { key: roleKey(i.snapshot.roleId), name: i.snapshot.roleName }) },
          {
            key: 'scope',
            title: t('reviews.scope'),
            render: (_, i) => (
              <span>
                {t(`scopes.${i.snapshot.dataScope}`)}
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('reviews.clearance', { read: t(`levels.${i.snapshot.readClearance}`), write: t(`levels.${i.snapshot.writeClearance}`) })}
                  </Typography.Text>
                </div>
              </span>
            ),
          },
          {
            key: 'devices',
            title: t('reviews.devices'),
            render: (_, i) => t('reviews.devicesValue', { active: i.snapshot.devices.filter((d) => d.status === 'active').length, total: i.snapshot.devices.length }),
          },
          {
            key: 'lastActivity',
            title: t('reviews.lastActivity'),
            render: (_, i) => (i.snapshot.lastActivityAt ? formatDateTime(i.snapshot.lastActivityAt, locale) : t('common.never')),
          },
          {
            key: 'flags',
            title: t('reviews.flags'),
            render: (_, i) =>
              i.flags.length ? (
                <Space size={4} wrap>
                  {i.flags.map((f) => (
                    <Tag key={f} color={FLAG_COLORS[f]}>
                      {t(`reviews.flagNames.${f}`)}
                    </Tag>
                  ))}
                </Space>
              ) : (
                '—'
              ),
          },
          {
            key: 'reviewer',
            title: t('reviews.reviewer'),
            render: (_, i) => (i.reviewerId ? nameOf.get(i.reviewerId) ?? i.reviewerId : t('reviews.anyReviewer')),
          },
          {
            key: 'decision',
            title: t('reviews.decision'),
            render: (_, i) => {
              const d = i.decision ?? 'pending';
              return (
                <Space size={4}>
                  <Tooltip title={i.note ?? undefined}>
                    <Tag color={DECISION_COLORS[d]}>{t(`reviews.decisions.${d}`)}</Tag>
                  </Tooltip>
                  {i.decisionSource === 'due_date' && <Tag>{t('reviews.byDueDate')}</Tag>}
                </Space>
              );
            },
          },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_, i) =>
              campaign && mayDecide(state.user, campaign, i) ? (
                <Space size={4}>
                  <Button size="small" aria-label={t('reviews.certifyAria', { user: i.snapshot.displayName })} onClick={() => setDeciding({ item: i, decision: 'certify' })}>
                    {t('reviews.certify')}
                  </Button>
                  <Button size="small" danger aria-label={t('reviews.revokeAria', { user: i.snapshot.displayName })} onClick={() => setDeciding({ item: i, decision: 'revoke' })}>
                    {t('reviews.revoke')}
                  </Button>
                </Space>
              ) : null,
          },
        ]}
      />
      <DecisionModal
        pending={deciding}
        onClose={() => setDeciding(null)}
        submit={async (item, decision, note) => {
          const result = show(await api.reviewDecide({ campaignId: id, itemId: item.id, decision, ...(note ? { note } : {}) }));
          if (result) decided(result);
        }}
      />
    </div>
  );
}

function DecisionModal({
  pending,
  onClose,
  submit,
}: {
  pending: { item: ReviewItemView; decision: Decision } | null;
  onClose: () => void;
  submit: (item: ReviewItemView, decision: Decision, note: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ note?: string }>();
  const [saving, setSaving] = useState(false);
  const revoke = pending?.decision === 'revoke';
  const user = pending?.item.snapshot.displayName ?? '';

  async function ok() {
    if (!pending) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    await submit(pending.item, pending.decision, v.note?.trim() ?? '');
    setSaving(false);
    form.resetFields();
  }

  return (
    <Modal
      open={pending !== null}
      title={revoke ? t('reviews.revoke') : t('reviews.certify')}
      onCancel={onClose}
      onOk={ok}
      confirmLoading={saving}
      okText={revoke ? t('reviews.revoke') : t('reviews.certify')}
      okButtonProps={{ danger: revoke }}
      cancelText={t('common.cancel')}
      forceRender
    >
      <Typography.Paragraph>{revoke ? t('reviews.revokeConfirm', { user }) : t('reviews.certifyConfirm', { user })}</Typography.Paragraph>
      <Form form={form} name="review-decision" layout="vertical">
        <Form.Item name="note" label={t('reviews.note')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
