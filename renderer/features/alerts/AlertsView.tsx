import { CheckOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Modal, Radio, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertSeverity, AlertView } from '../../../shared/protocol/routes';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { capabilitiesOf } from '../../lib/capabilities';
import { formatDateTime, shortId } from '../../lib/format';
import { useLoad } from '../../lib/use-load';
import { indexById } from '../admin/admin-data';
import { AlertThresholdsButton } from './AlertThresholds';

const SEVERITY_COLORS: Record<AlertSeverity, string> = { low: 'default', medium: 'orange', high: 'red' };
type Show = 'open' | 'all';

/** The server's anomaly alerts (suspicious sign-ins, exports, revocations): IT admins acknowledge them, auditors read them. */
export function AlertsView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const { message } = App.useApp();
  const can = capabilitiesOf(state.user);
  const [filter, setFilter] = useState<Show>('open');
  const alerts = useLoad(`alerts:${filter}`, () => api.alertsList(filter === 'open' ? { status: 'open' } : {}));
  // Names instead of ids where the user may list users (the IT admin; not the auditor).
  const users = useLoad(`users:${can.listUsers}`, async () => (can.listUsers ? api.adminListUsers() : { ok: true as const, value: [] }));
  const userById = indexById(users.value);
  const [acknowledging, setAcknowledging] = useState<AlertView | null>(null);

  const userName = (id: string | null) => {
    if (!id) return t('alerts.systemUser');
    const u = userById.get(id);
    return u ? `${u.displayName} (${u.username})` : id;
  };

  function acknowledged(updated: AlertView) {
    setAcknowledging(null);
    void message.success(t('alerts.acknowledged'));
    alerts.setValue((list) => {
      if (!list) return list;
      // In the "open" list an acknowledged alert leaves; in "all" it changes in place.
      return filter === 'open' ? list.filter((a) => a.id !== updated.id) : list.map((a) => (a.id === updated.id ? updated : a));
    });
  }

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <h1>{t('alerts.title')}</h1>
        <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <Typography.Text id="alerts-show-label">{t('alerts.show')}</Typography.Text>
          <Radio.Group
            aria-labelledby="alerts-show-label"
            optionType="button"
            value={filter}
            onChange={(e) => setFilter(e.target.value as Show)}
            options={[
              { value: 'open', label: t('alerts.showOpen') },
              { value: 'all', label: t('alerts.showAll') },
            ]}
          />
          <Tooltip title={t('common.refresh')}>
            <Button icon={<ReloadOutlined />} aria-label={t('common.refresh')} onClick={() => void alerts.reload()} />
          </Tooltip>
          <AlertThresholdsButton canEdit={can.acknowledgeAlerts} />
        </div>
      </div>

      <Table<AlertView>
        className="sv-panel"
        size="small"
        rowKey="id"
        loading={alerts.loading}
        dataSource={alerts.value ?? []}
        pagination={{ pageSize: 50, size: 'small', hideOnSinglePage: true }}
        locale={{ emptyText: t('alerts.empty') }}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'at', title: t('alerts.time'), width: 170, render: (_, a) => formatDateTime(a.at, locale) },
          { key: 'rule', title: t('alerts.rule'), render: (_, a) => t(`alerts.rules.${a.rule}`) },
          {
            key: 'severity',
            title: t('alerts.severity'),
            render: (_, a) => <Tag color={SEVERITY_COLORS[a.severity]}>{t(`alerts.severities.${a.severity}`)}</Tag>,
          },
          { key: 'user', title: t('alerts.user'), render: (_, a) => userName(a.userId) },
          {
            key: 'device',
            title: t('alerts.device'),
            render: (_, a) => (a.deviceId ? <Typography.Text type="secondary">{shortId(a.deviceId)}</Typography.Text> : '—'),
          },
          {
            key: 'details',
            title: t('alerts.details'),
            render: (_, a) => {
              const text = Object.keys(a.details).length ? JSON.stringify(a.details) : '—';
              return (
                <Typography.Text ellipsis={{ tooltip: text }} style={{ maxWidth: 260, fontSize: 12 }}>
                  {text}
                </Typography.Text>
              );
            },
          },
          {
            key: 'status',
            title: t('alerts.status'),
            render: (_, a) =>
              a.status === 'open' ? (
                <Tag color="red">{t('alerts.statuses.open')}</Tag>
              ) : (
                <Tooltip title={[t('alerts.acknowledgedBy', { name: userName(a.acknowledgedBy), time: formatDateTime(a.acknowledgedAt, locale) }), a.note].filter(Boolean).join(' · ')}>
                  <Tag color="green">{t('alerts.statuses.acknowledged')}</Tag>
                </Tooltip>
              ),
          },
          ...(can.acknowledgeAlerts
            ? [
                {
                  key: 'actions',
                  title: t('common.actions'),
                  width: 100,
                  render: (_: unknown, a: AlertView) =>
                    a.status === 'open' ? (
                      <Button
                        size="small"
                        icon={<CheckOutlined />}
                        aria-label={t('alerts.acknowledgeAria', { rule: t(`alerts.rules.${a.rule}`), user: userName(a.userId) })}
                        onClick={() => setAcknowledging(a)}
                      >
                        {t('alerts.acknowledge')}
                      </Button>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      <AcknowledgeModal alert={acknowledging} onClose={() => setAcknowledging(null)} onDone={acknowledged} submit={async (id, note) => show(await api.alertAcknowledge(note ? { id, note } : { id }))} />
    </div>
  );
}

function AcknowledgeModal({
  alert,
  onClose,
  onDone,
  submit,
}: {
  alert: AlertView | null;
  onClose: () => void;
  onDone: (a: AlertView) => void;
  submit: (id: string, note: string) => Promise<AlertView | undefined>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ note?: string }>();
  const [saving, setSaving] = useState(false);

  async function ok() {
    if (!alert) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    const updated = await submit(alert.id, v.note?.trim() ?? '');
    setSaving(false);
    if (!updated) return;
    form.resetFields();
    onDone(updated);
  }

  return (
    <Modal
      open={alert !== null}
      title={t('alerts.acknowledgeTitle')}
      onCancel={onClose}
      onOk={ok}
      confirmLoading={saving}
      okText={t('alerts.acknowledge')}
      cancelText={t('common.cancel')}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('alerts.acknowledgeHint')}</Typography.Paragraph>
      {alert && <Typography.Paragraph strong>{t(`alerts.rules.${alert.rule}`)}</Typography.Paragraph>}
      <Form form={form} name="alert-acknowledge" layout="vertical">
        <Form.Item name="note" label={t('alerts.note')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
