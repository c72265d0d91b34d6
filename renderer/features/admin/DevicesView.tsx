import { ReloadOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Space, Table, Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { DeviceView } from '../../../shared/protocol/routes';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { capabilitiesOf } from '../../lib/capabilities';
import { formatDateTime, shortId } from '../../lib/format';
import { useLoad } from '../../lib/use-load';
import { indexById } from './admin-data';

/** Enrolled devices with their state; one-click revoke behind a confirmation. */
export function DevicesView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const { message } = App.useApp();
  const canListUsers = capabilitiesOf(state.user).listUsers;
  const devices = useLoad('devices', () => api.adminListDevices());
  const users = useLoad(`users:${canListUsers}`, async () => (canListUsers ? api.adminListUsers() : { ok: true as const, value: [] }));
  const userById = indexById(users.value);

  async function revoke(device: DeviceView) {
    const updated = show(await api.adminRevokeDevice({ id: device.id }));
    if (!updated) return;
    void message.success(t('admin.devices.revokedDone', { name: device.name }));
    devices.setValue((list) => list?.map((d) => (d.id === updated.id ? updated : d)) ?? null);
  }

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <h1>{t('admin.devices.title')}</h1>
        <Button icon={<ReloadOutlined />} onClick={() => void devices.reload()}>
          {t('common.refresh')}
        </Button>
      </div>
      <Table<DeviceView>
        className="sv-panel"
        size="small"
        rowKey="id"
        loading={devices.loading}
        dataSource={devices.value ?? []}
        pagination={{ pageSize: 50, size: 'small', hideOnSinglePage: true }}
        columns={[
          {
            key: 'user',
            title: t('admin.devices.user'),
            render: (_, d) => {
              const u = userById.get(d.userId);
              return u ? `${u.displayName} (${u.username})` : d.userId;
            },
          },
          { key: 'name', title: t('admin.devices.name'), dataIndex: 'name' },
          {
            key: 'id',
            title: t('admin.devices.deviceId'),
            // Devices enrolled from one machine by one user share a name: the id tells them apart.
            render: (_, d) => (
              <Tooltip title={d.id}>
                <code data-device-id={d.id}>{shortId(d.id)}</code>
              </Tooltip>
            ),
          },
          { key: 'platform', title: t('admin.devices.platform'), dataIndex: 'platform' },
          {
            key: 'lastCheckIn',
            title: t('admin.devices.lastCheckIn'),
            sorter: (a, b) => (a.lastCheckInAt ?? 0) - (b.lastCheckInAt ?? 0),
            defaultSortOrder: 'descend',
            render: (_, d) => (d.lastCheckInAt ? formatDateTime(d.lastCheckInAt, locale) : t('common.never')),
          },
          { key: 'version', title: t('admin.devices.version'), dataIndex: 'appVersion' },
          {
            key: 'state',
            title: t('admin.devices.state'),
            filters: [
              { text: t('admin.devices.active'), value: 'active' },
              { text: t('admin.devices.revoked'), value: 'revoked' },
            ],
            onFilter: (v, d) => d.status === v,
            render: (_, d) =>
              d.status === 'active' ? (
                <Tag color="green">{t('admin.devices.active')}</Tag>
              ) : (
                <Space size={4}>
                  <Tooltip title={d.revokedAt ? formatDateTime(d.revokedAt, locale) : undefined}>
                    <Tag color="red">{t('admin.devices.revoked')}</Tag>
                  </Tooltip>
                  {d.wipeConfirmedAt ? (
                    <Tooltip title={formatDateTime(d.wipeConfirmedAt, locale)}>
                      <Tag>{t('admin.devices.wipeConfirmed')}</Tag>
                    </Tooltip>
                  ) : (
                    <Tag color="orange">{t('admin.devices.wipePending')}</Tag>
                  )}
                </Space>
              ),
          },
          {
            key: 'actions',
            title: t('common.actions'),
            width: 90,
            render: (_, d) =>
              d.status === 'active' ? (
                <Popconfirm
                  title={t('admin.devices.revoke')}
                  description={<div style={{ maxWidth: 300 }}>{t('admin.devices.revokeConfirm', { name: d.name })}</div>}
                  okText={t('admin.devices.revoke')}
                  okButtonProps={{ danger: true }}
                  cancelText={t('common.cancel')}
                  onConfirm={() => revoke(d)}
                >
                  <Button danger size="small" aria-label={`${t('admin.devices.revoke')}: ${d.name} · ${shortId(d.id)}`}>
                    {t('admin.devices.revoke')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
    </div>
  );
}
