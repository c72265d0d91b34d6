import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Alert, Button, Descriptions, Empty, Popconfirm, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { DeviceView, IncidentEvent, IncidentView as Incident, UserView } from '../../../shared/protocol/routes';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { auditActionText } from '../../i18n/audit-actions';
import { capabilitiesOf } from '../../lib/capabilities';
import { formatDateTime } from '../../lib/format';
import { useLoad } from '../../lib/use-load';
import { UserActions } from '../admin/UserActions';
import { OUTCOME_COLORS } from './AuditEntryDrawer';
import type { IncidentSubject } from './incident-nav';


const KIND_COLORS: Record<IncidentEvent['kind'], string> = {
  enrolment: 'blue', sign_in: 'cyan', sync: 'default', scope_change: 'purple', records: 'geekblue', alert: 'orange',
  revocation: 'red', wipe: 'volcano', sign_out: 'default', account: 'gold', other: 'default',
};
const SEVERITY_COLORS = { low: 'default', medium: 'orange', high: 'red' } as const;

function deviceName(d: Pick<DeviceView, 'hostName' | 'name'>): string {
  const host = d.hostName?.trim();
  return host && !d.name.includes(host) ? `${host} · ${d.name}` : d.name;
}

/**
 * One person's or one device's incident view: the account and its devices, the timeline
 * (enrolment, sign-ins, syncs, scope changes, alerts, revocation, wipe confirmation) from the
 * audit trail and the device and alert tables, and the incident actions on the same screen
 * (IT admins; an auditor reads only). The server decides every action again.
 */
export function IncidentView({ subject, onBack, onOpen }: { subject: IncidentSubject; onBack: () => void; onOpen: (subject: IncidentSubject) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const show = useResult();
  const state = useAppState();
  const { message } = App.useApp();
  const can = capabilitiesOf(state.user);
  const incident = useLoad<Incident>(`incident:${subject.kind}:${subject.id}`, () =>
    subject.kind === 'user' ? api.incidentUser({ id: subject.id }) : api.incidentDevice({ id: subject.id }),
  );
  const value = incident.value;
  const user = value?.user;
  const self = user?.id === state.user?.id;
  const devicesById = new Map((value?.devices ?? []).map((d) => [d.id, d]));

  async function revokeDevice(d: DeviceView) {
    if (show(await api.adminRevokeDevice({ id: d.id }))) {
      void message.success(t('admin.devices.revokedDone', { name: deviceName(d) }));
      await incident.reload();
    }
  }
  async function deactivate(u: UserView) {
    const r = show(await api.adminDeactivateUser({ id: u.id }));
    if (r) {
      void message.success(t('audit.incident.deactivatedDone', { name: u.displayName, count: r.revokedDevices }));
      await incident.reload();
    }
  }

  const title = !value
    ? t('audit.incident.title')
    : subject.kind === 'user'
      ? t('audit.incident.titleUser', { name: `${value.user.displayName} (${value.user.username})` })
      : t('audit.incident.titleDevice', { name: value.devices[0] ? deviceName(value.devices[0]) : subject.id });

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <Space>
          <Button icon={<ArrowLeftOutlined />} onClick={onBack}>{t('audit.incident.back')}</Button>
          <h1 style={{ margin: 0 }}>{title}</h1>
        </Space>
        <Button icon={<ReloadOutlined />} aria-label={t('common.refresh')} onClick={() => void incident.reload()} />
      </div>
      {value && user && (
        <>
          <div className="sv-panel" style={{ padding: 12, marginBottom: 12 }}>
            <Descriptions size="small" column={3} title={t('audit.incident.person')}
              extra={
                !self && (can.listUsers || can.manageDevices) ? (
                  <Space size={0} wrap>
                    {can.listUsers && <UserActions user={user} onUser={() => void incident.reload()} inIncident />}
                    {can.listUsers && user.status === 'active' && (
                      <Popconfirm
                        title={t('admin.users.deactivate')}
                        description={<div style={{ maxWidth: 280 }}>{t('admin.users.deactivateConfirm', { name: user.displayName })}</div>}
                        okText={t('admin.users.deactivate')}
                        okButtonProps={{ danger: true }}
                        cancelText={t('common.cancel')}
                        onConfirm={() => deactivate(user)}
                      >
                        <Button type="link" size="small" danger>{t('admin.users.deactivate')}</Button>
                      </Popconfirm>
                    )}
                  </Space>
                ) : null
              }
            >
              <Descriptions.Item label={t('admin.users.displayName')}>
                {subject.kind === 'device' ? (
                  <Typography.Link onClick={() => onOpen({ kind: 'user', id: user.id })}>{user.displayName} ({user.username})</Typography.Link>
                ) : (
                  `${user.displayName} (${user.username})`
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t('admin.users.status')}>
                <Space size={4} wrap>
                  {user.status === 'active' ? <Tag color="green">{t('admin.users.active')}</Tag> : <Tag>{t('admin.users.deactivated')}</Tag>}
                  {user.lockedUntil && <Tag color="red" data-testid="incident-locked">{t('admin.users.lockedUntil', { time: formatDateTime(user.lockedUntil, locale) })}</Tag>}
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label={t('admin.users.mfa')}>
                {user.mfaEnrolled ? t('admin.users.mfaEnrolled') : <Typography.Text type="warning">{t('admin.users.mfaPending')}</Typography.Text>}
              </Descriptions.Item>
            </Descriptions>
            {!can.listUsers && !can.manageDevices && <Typography.Text type="secondary">{t('audit.incident.readOnly')}</Typography.Text>}
          </div>

          <Table<DeviceView>
            className="sv-panel"
            size="small"
            rowKey="id"
            pagination={false}
            style={{ marginBottom: 12 }}
            title={() => <Typography.Text strong>{t('audit.incident.devices')}</Typography.Text>}
            locale={{ emptyText: t('audit.incident.noDevices') }}
            dataSource={value.devices}
            columns={[
              { key: 'name', title: t('admin.devices.name'), render: (_, d) => deviceName(d) },
              { key: 'platform', title: t('admin.devices.platform'), dataIndex: 'platform' },
              { key: 'state', title: t('admin.devices.state'), render: (_, d) => <Tag color={d.lifecycle === 'active' ? 'green' : d.lifecycle === 'wipe_confirmed' ? 'default' : 'red'}>{t(`admin.devices.filter.${d.lifecycle}`)}</Tag> },
              { key: 'enrolled', title: t('admin.devices.enrolledAt'), render: (_, d) => formatDateTime(d.enrolledAt, locale) },
              { key: 'checkIn', title: t('admin.devices.lastCheckIn'), render: (_, d) => (d.lastCheckInAt ? formatDateTime(d.lastCheckInAt, locale) : t('common.never')) },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_, d) => (
                  <Space size={0}>
                    {subject.kind === 'user' && (
                      <Button type="link" size="small" onClick={() => onOpen({ kind: 'device', id: d.id })}>{t('audit.incident.openDevice')}</Button>
                    )}
                    {can.manageDevices && !self && d.status === 'active' && (
                      <Popconfirm
                        title={t('admin.devices.revoke')}
                        description={<div style={{ maxWidth: 280 }}>{t('admin.devices.revokeConfirm', { name: deviceName(d) })}</div>}
                        okText={t('admin.devices.revoke')}
                        okButtonProps={{ danger: true }}
                        cancelText={t('common.cancel')}
                        onConfirm={() => revokeDevice(d)}
                      >
                        <Button type="link" size="small" danger aria-label={`${t('admin.devices.revoke')}: ${deviceName(d)}`}>{t('admin.devices.revoke')}</Button>
                      </Popconfirm>
                    )}
                  </Space>
                ),
              },
            ]}
          />

          <div className="sv-panel" style={{ padding: 12 }}>
            <Typography.Title level={5} style={{ marginTop: 0 }}>{t('audit.incident.timeline')}</Typography.Title>
            {value.truncated && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('audit.incident.truncated')} />}
            {value.events.length === 0 ? (
              <Empty description={t('audit.incident.empty')} />
            ) : (
              <div data-testid="incident-timeline">
              <Timeline
                items={value.events.map((e) => ({
                  key: `${e.seq ?? e.alert?.id ?? e.at}`,
                  color: e.outcome && e.outcome !== 'ok' ? 'orange' : KIND_COLORS[e.kind] === 'default' ? 'gray' : KIND_COLORS[e.kind],
                  content: (
                    <div data-kind={e.kind} data-action={e.action ?? undefined} className="sv-incident-event">
                      <Space size={6} wrap>
                        <Typography.Text type="secondary">{formatDateTime(e.at, locale)}</Typography.Text>
                        <Tag color={KIND_COLORS[e.kind]}>{t(`audit.incident.kinds.${e.kind}`)}</Tag>
                        <Typography.Text strong>
                          {e.alert ? t(`alerts.rules.${e.alert.rule}` as 'alerts.rules.new_device', { defaultValue: e.alert.rule }) : e.action ? auditActionText(e.action, locale) : ''}
                        </Typography.Text>
                        {e.alert && <Tag color={SEVERITY_COLORS[e.alert.severity]}>{t(`alerts.severities.${e.alert.severity}`)}</Tag>}
                        {e.alert && <Tag>{t(`alerts.statuses.${e.alert.status}`)}</Tag>}
                        {e.outcome && e.outcome !== 'ok' && <Tag color={OUTCOME_COLORS[e.outcome]}>{t(`audit.outcomes.${e.outcome}`)}</Tag>}
                      </Space>
                      <div>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {[
                            e.folded ? t('audit.incident.folded', { count: e.folded.count, from: formatDateTime(e.folded.from, locale) }) : null,
                            e.actorName ? t('audit.incident.by', { name: e.actorName }) : null,
                            e.deviceId ? t('audit.incident.onDevice', { name: devicesById.get(e.deviceId) ? deviceName(devicesById.get(e.deviceId)!) : (e.deviceName ?? e.deviceId) }) : null,
                          ].filter(Boolean).join(' · ')}
                        </Typography.Text>
                      </div>
                    </div>
                  ),
                }))}
              />
              </div>
            )}
          </div>
        </>
      )}
    </div>
  );
}
