import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Descriptions, Drawer, Popconfirm, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ENTITY_TYPES, type EntityType } from '../../../shared/domain/model';
import type { ExposureFormat, ExposureLevel, ExposureReport } from '../../../shared/protocol/exposure';
import type { DeviceView } from '../../../shared/protocol/routes';
import { useApi, useLocale, useResult } from '../../app/context';
import { offerBinaryDownload } from '../../lib/download';
import { formatDateTime, formatNumber, shortId } from '../../lib/format';
import { useLoad } from '../../lib/use-load';

type RecordItem = ExposureReport['contacts'][number];
const LIST: Record<Exclude<EntityType, 'customer'>, 'contacts' | 'opportunities' | 'activities'> = {
  contact: 'contacts',
  opportunity: 'opportunities',
  activity: 'activities',
};

/**
 * A device's exposure report (what its vault held at its last acknowledged sync, from the
 * server's ledger): summary, the fields held by classification level, the records, and the
 * server-rendered files. Record ids, customer names and field names only: never field values.
 */
export function DeviceExposureDrawer({ device, onClose, onRevoke }: { device: DeviceView; onClose: () => void; onRevoke: (d: DeviceView) => Promise<void> }) {
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const show = useResult();
  const { message } = App.useApp();
  const exposure = useLoad(`exposure:${device.id}`, () => api.adminDeviceExposure({ id: device.id }));
  const [busy, setBusy] = useState<ExposureFormat | null>(null);
  const report = exposure.value;

  async function download(format: ExposureFormat) {
    setBusy(format);
    const file = show(await api.adminExportDeviceExposure({ id: device.id, format, lang: locale }));
    setBusy(null);
    if (!file) return;
    offerBinaryDownload(file);
    void message.success(t('admin.exposure.downloaded', { filename: file.filename, count: file.count }));
  }

  const title = `${t('admin.exposure.title')} · ${device.hostName ?? device.name}`;
  return (
    <Drawer
      title={title}
      open
      onClose={onClose}
      size={920}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void exposure.reload()} aria-label={t('common.refresh')} />
          {(['pdf', 'csv', 'json'] as const).map((f) => (
            <Button key={f} icon={<DownloadOutlined />} loading={busy === f} disabled={busy !== null && busy !== f} onClick={() => void download(f)}>
              {t(`admin.exposure.download.${f}`)}
            </Button>
          ))}
        </Space>
      }
    >
      {!report ? (
        <Typography.Text type="secondary">{exposure.loading ? t('common.loading') : t('admin.exposure.unavailable')}</Typography.Text>
      ) : (
        <Summary report={report} device={device} onRevoke={onRevoke} reload={() => void exposure.reload()} />
      )}
    </Drawer>
  );
}

function Summary({ report, device, onRevoke, reload }: { report: ExposureReport; device: DeviceView; onRevoke: (d: DeviceView) => Promise<void>; reload: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const d = report.device;
  const offline = report.offlineForMs === null ? t('common.never') : t('admin.exposure.duration', {
    days: Math.floor(report.offlineForMs / 86_400_000), hours: Math.floor((report.offlineForMs % 86_400_000) / 3_600_000),
  });
  const wipe = d.wipeConfirmedAt !== null ? (
    <Tag color="green" data-testid="exposure-wipe">{t('admin.exposure.wipeConfirmedAt', { at: formatDateTime(d.wipeConfirmedAt, locale) })}</Tag>
  ) : d.status === 'revoked' ? (
    <Tag color="orange" data-testid="exposure-wipe">{t('admin.devices.wipePending')}</Tag>
  ) : (
    <Space>
      <Tag data-testid="exposure-wipe">{t('admin.exposure.notRevoked')}</Tag>
      <Popconfirm
        title={t('admin.devices.revoke')}
        description={<div style={{ maxWidth: 300 }}>{t('admin.devices.revokeConfirm', { name: device.hostName ?? device.name })}</div>}
        okText={t('admin.devices.revoke')}
        okButtonProps={{ danger: true }}
        cancelText={t('common.cancel')}
        onConfirm={async () => {
          await onRevoke(device);
          reload();
        }}
      >
        <Button danger size="small">{t('admin.exposure.revokeNow')}</Button>
      </Popconfirm>
    </Space>
  );
  const count = (e: EntityType) => {
    const c = report.counts[e] ?? { held: 0, possiblyHeld: 0 };
    return c.possiblyHeld > 0
      ? t('admin.exposure.countPossibly', { held: formatNumber(c.held, locale), possibly: formatNumber(c.possiblyHeld, locale) })
      : formatNumber(c.held, locale);
  };

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Alert type="info" showIcon title={t('admin.exposure.intro')} />
      {!report.ledger.complete && <Alert type="warning" showIcon title={t('admin.exposure.incomplete')} />}
      {report.ledger.pendingPages > 0 && <Alert type="info" title={t('admin.exposure.pending', { count: report.ledger.pendingPages })} />}
      <Descriptions size="small" bordered column={2} data-testid="exposure-summary">
        <Descriptions.Item label={t('admin.devices.user')}>{`${report.user.displayName} (${report.user.username})`}</Descriptions.Item>
        <Descriptions.Item label={t('admin.devices.hostName')}>{d.hostName ?? d.name}</Descriptions.Item>
        <Descriptions.Item label={t('admin.devices.deviceId')}><code title={d.id}>{shortId(d.id)}</code></Descriptions.Item>
        <Descriptions.Item label={t('admin.devices.os')}>{`${d.osVersion ?? d.platform} · ${d.appVersion}`}</Descriptions.Item>
        <Descriptions.Item label={t('admin.devices.lastCheckIn')}>{d.lastCheckInAt ? formatDateTime(d.lastCheckInAt, locale) : t('common.never')}</Descriptions.Item>
        <Descriptions.Item label={t('admin.exposure.offlineFor')}>{offline}</Descriptions.Item>
        <Descriptions.Item label={t('admin.exposure.keyStorage')}>{t(`admin.exposure.keyStorages.${d.keyStorage}`)}</Descriptions.Item>
        <Descriptions.Item label={t('admin.exposure.asOf')}>{report.ledger.appliedAt ? formatDateTime(report.ledger.appliedAt, locale) : t('common.never')}</Descriptions.Item>
        <Descriptions.Item label={t('admin.exposure.clearance')}>{report.ledger.readClearance ? t(`levels.${report.ledger.readClearance}`) : t('common.emptyDash')}</Descriptions.Item>
        <Descriptions.Item label={t('admin.exposure.wipe')}>{wipe}</Descriptions.Item>
        {ENTITY_TYPES.map((e) => (
          <Descriptions.Item key={e} label={t(`admin.exposure.entities.${e}`)}>
            <span data-testid={`exposure-count-${e}`}>{count(e)}</span>
          </Descriptions.Item>
        ))}
      </Descriptions>

      <Typography.Title level={5} style={{ margin: 0 }}>{t('admin.exposure.fieldsTitle')}</Typography.Title>
      <Table
        size="small"
        pagination={false}
        rowKey="entity"
        dataSource={ENTITY_TYPES.map((entity) => ({ entity }))}
        columns={[
          { key: 'entity', title: t('admin.exposure.entity'), render: (_, r) => t(`admin.exposure.entities.${r.entity}`), width: 110 },
          // Most sensitive first; structural fields (ids, owner, version, dates) last, by their names.
          ...(['confidential', 'sensitive', 'internal', 'public', 'structural'] as const satisfies readonly ExposureLevel[]).map((level) => ({
            key: level,
            title: level === 'structural' ? t('admin.exposure.structural') : t(`levels.${level}`),
            render: (_: unknown, r: { entity: EntityType }) => (
              <Space size={2} wrap>
                {report.fields.filter((f) => f.entity === r.entity && f.level === level).map((f) => (
                  <Tag key={f.name} title={f.name} color={f.status === 'held' ? levelColor(level) : undefined} style={f.status === 'held' ? undefined : { borderStyle: 'dashed' }}>
                    {level === 'structural' ? f.name : t(`fields.${r.entity}.${f.name}`, { defaultValue: f.name })}
                  </Tag>
                ))}
              </Space>
            ),
          })),
        ]}
      />

      <Tabs
        items={[
          {
            key: 'customer',
            label: `${t('admin.exposure.entities.customer')} (${report.customers.length})`,
            children: (
              <Table
                size="small"
                rowKey="id"
                dataSource={report.customers}
                pagination={{ pageSize: 20, size: 'small', hideOnSinglePage: true }}
                columns={[
                  { key: 'name', title: t('admin.exposure.customerName'), render: (_, c) => c.name ?? t('admin.exposure.noLongerOnServer') },
                  { key: 'id', title: t('admin.exposure.recordId'), render: (_, c) => <code>{c.id}</code> },
                  { key: 'status', title: t('admin.exposure.status'), render: (_, c) => <HoldingTag status={c.status} /> },
                ]}
              />
            ),
          },
          ...(['contact', 'opportunity', 'activity'] as const).map((e) => ({
            key: e,
            label: `${t(`admin.exposure.entities.${e}`)} (${report[LIST[e]].length})`,
            children: <RecordTable items={report[LIST[e]]} names={report.customers} />,
          })),
        ]}
      />
    </Space>
  );
}

function RecordTable({ items, names }: { items: RecordItem[]; names: ExposureReport['customers'] }) {
  const { t } = useTranslation();
  const byId = new Map(names.map((c) => [c.id, c.name]));
  return (
    <Table
      size="small"
      rowKey="id"
      dataSource={items}
      pagination={{ pageSize: 20, size: 'small', hideOnSinglePage: true }}
      columns={[
        { key: 'id', title: t('admin.exposure.recordId'), render: (_, r) => <code>{r.id}</code> },
        { key: 'customer', title: t('admin.exposure.customerName'), render: (_, r) => byId.get(r.customerId) ?? r.customerId },
        { key: 'status', title: t('admin.exposure.status'), render: (_, r) => <HoldingTag status={r.status} /> },
      ]}
    />
  );
}

function HoldingTag({ status }: { status: RecordItem['status'] }) {
  const { t } = useTranslation();
  return status === 'held' ? <Tag color="red">{t('admin.exposure.held')}</Tag> : <Tag color="orange">{t('admin.exposure.possiblyHeld')}</Tag>;
}

function levelColor(level: string): string | undefined {
  return { confidential: 'red', sensitive: 'volcano', internal: 'gold', public: 'blue' }[level];
}
