import { ReloadOutlined } from '@ant-design/icons';
import { App, Button, Input, InputNumber, Popconfirm, Select, Space, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceView } from '../../../shared/protocol/routes';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { capabilitiesOf } from '../../lib/capabilities';
import { formatDateTime, shortId } from '../../lib/format';
import { useLoad } from '../../lib/use-load';
import { useNow } from '../../lib/use-now';
import { useIncidentNav } from '../audit/incident-nav';
import { indexById } from './admin-data';
import { DeviceExposureDrawer } from './DeviceExposureDrawer';
import { DEVICE_FILTERS, filterDevices, isStale, type DeviceFilter } from './device-filter';
import { MinVersionPanel } from './MinVersionPanel';
import { isBelowMinimum } from '../../../shared/domain/app-version';

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
  const incidentNav = useIncidentNav();
  const versions = useLoad('min-versions', () => api.adminGetMinVersions());
  const minimumOf = (platform: string) => versions.value?.minimums.find((m) => m.platform === platform)?.minVersion;
  const users = useLoad(`users:${canListUsers}`, async () => (canListUsers ? api.adminListUsers() : { ok: true as const, value: [] }));
  const userById = indexById(users.value);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<DeviceFilter>('all');
  const [staleDays, setStaleDays] = useState(14);
  const [exposureOf, setExposureOf] = useState<DeviceView | null>(null);
  const now = useNow();
  const shown = filterDevices(devices.value ?? [], { query, filter, now, staleDays, ownerOf: (id) => userById.get(id) });

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
        <Button icon={<ReloadOutlined />} onClick={() => void Promise.all([devices.reload(), versions.reload()])}>
          {t('common.refresh')}
        </Button>
      </div>
      <MinVersionPanel versions={versions.value} devices={devices.value ?? []} onChange={(next) => versions.setValue(next)} />
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          style={{ width: 320 }}
          placeholder={t('admin.devices.searchPlaceholder')}
          aria-label={t('admin.devices.searchPlaceholder')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <Select<DeviceFilter>
          style={{ width: 200 }}
          aria-label={t('admin.devices.state')}
          value={filter}
          onChange={setFilter}
          options={DEVICE_FILTERS.map((f) => ({ value: f, label: t(`admin.devices.filter.${f}`) }))}
        />
        <span>{t('admin.devices.staleAfter')}</span>
        <InputNumber min={1} max={365} value={staleDays} onChange={(v) => setStaleDays(v ?? 14)} aria-label={t('admin.devices.staleAfter')} />
        <span>{t('admin.devices.shownCount', { shown: shown.length, total: devices.value?.length ?? 0 })}</span>
      </Space>
      <Table<DeviceView>
        className="sv-panel"
        size="small"
        rowKey="id"
        loading={devices.loading}
        dataSource={shown}
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
          {
            key: 'host',
            title: t('admin.devices.hostName'),
            render: (_, d) => (
              <Tooltip title={d.name}>
                <span data-host-name={d.hostName ?? ''}>{d.hostName ?? d.name}</span>
              </Tooltip>
            ),
          },
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
          { key: 'os', title: t('admin.devices.os'), render: (_, d) => d.osVersion ?? d.platform },
          { key: 'ip', title: t('admin.devices.lastIp'), render: (_, d) => d.lastIp ?? t('common.emptyDash') },
          {
            key: 'lastCheckIn',
            title: t('admin.devices.lastCheckIn'),
            sorter: (a, b) => (a.lastCheckInAt ?? 0) - (b.lastCheckInAt ?? 0),
            defaultSortOrder: 'descend',
            render: (_, d) => (d.lastCheckInAt ? formatDateTime(d.lastCheckInAt, locale) : t('common.never')),
          },
          {
            key: 'version',
            title: t('admin.devices.version'),
            // An active device below its platform's minimum locks at its next check-in.
            render: (_, d) => (
              <Space size={4}>
                <span>{d.appVersion}</span>
                {d.status === 'active' && isBelowMinimum(d.appVersion, minimumOf(d.platform)) && (
                  <Tooltip title={t('admin.minVersion.belowTip', { version: minimumOf(d.platform) })}>
                    <Tag color="orange">{t('admin.minVersion.belowTag')}</Tag>
                  </Tooltip>
                )}
              </Space>
            ),
          },
          {
            key: 'state',
            title: t('admin.devices.state'),
            render: (_, d) => {
              switch (d.lifecycle) {
                case 'active':
                  return isStale(d, now, staleDays) ? (
                    <Tag color="gold">{t('admin.devices.filter.stale')}</Tag>
                  ) : (
                    <Tag color="green">{t('admin.devices.active')}</Tag>
                  );
                case 'signed_out':
                  return (
                    <Tooltip title={d.signedOutAt ? formatDateTime(d.signedOutAt, locale) : undefined}>
                      <Tag>{t('admin.devices.filter.signed_out')}</Tag>
                    </Tooltip>
                  );
                default:
                  return (
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
                  );
              }
            },
          },
          {
            key: 'actions',
            title: t('common.actions'),
            width: incidentNav ? 280 : 190,
            render: (_, d) => (
              <Space size={4}>
                {incidentNav && (
                  <Button type="link" size="small" onClick={() => incidentNav.open({ kind: 'device', id: d.id })}>
                    {t('audit.openIncident')}
                  </Button>
                )}
                <Button size="small" onClick={() => setExposureOf(d)} aria-label={t('admin.exposure.openFor', { host: `${d.hostName ?? d.name} · ${shortId(d.id)}` })}>
                  {t('admin.exposure.open')}
                </Button>
                {d.status === 'active' ? (
                <Popconfirm
                  title={t('admin.devices.revoke')}
                  description={<div style={{ maxWidth: 300 }}>{t('admin.devices.revokeConfirm', { name: d.name })}</div>}
                  okText={t('admin.devices.revoke')}
                  okButtonProps={{ danger: true }}
                  cancelText={t('common.cancel')}
                  onConfirm={() => revoke(d)}
                >
                  <Button danger size="small" aria-label={`${t('admin.devices.revoke')}: ${d.hostName ?? d.name} · ${shortId(d.id)}`}>
                    {t('admin.devices.revoke')}
                  </Button>
                </Popconfirm>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      {exposureOf && <DeviceExposureDrawer device={exposureOf} onClose={() => setExposureOf(null)} onRevoke={revoke} />}
    </div>
  );
}
