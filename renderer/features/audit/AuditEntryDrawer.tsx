import { Button, Descriptions, Drawer, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AuditDeviceRef, AuditEntryView, AuditPersonRef } from '../../../shared/protocol/routes';
import { useLocale } from '../../app/context';
import { auditActionText, auditGroupText } from '../../i18n/audit-actions';
import { formatDateTime } from '../../lib/format';
import { deviceLabel, personLabel } from './audit-names';

export const OUTCOME_COLORS = { ok: 'green', denied: 'orange', failed: 'red' } as const;

export interface AuditLinks {
  /** show the trail of this person (filter by username) */
  person(person: AuditPersonRef): void;
  /** show the trail of this device */
  device(deviceId: string): void;
  /** open the incident view of this person or device */
  incident(subject: { kind: 'user' | 'device'; id: string }): void;
}

function PersonValue({ person, id, links }: { person: AuditPersonRef | undefined; id: string | null; links: AuditLinks }) {
  const { t } = useTranslation();
  if (!person) return <Typography.Text>{id ?? t('audit.system')}</Typography.Text>;
  return (
    <Space orientation="vertical" size={0}>
      <Typography.Text strong>{personLabel(person)}</Typography.Text>
      <Typography.Text type="secondary" copyable style={{ fontSize: 12 }}>{person.id}</Typography.Text>
      <Space size={12}>
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => links.person(person)}>
          {t('audit.showPersonEntries')}
        </Button>
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => links.incident({ kind: 'user', id: person.id })}>
          {t('audit.openIncident')}
        </Button>
      </Space>
    </Space>
  );
}

function DeviceValue({ device, id, links }: { device: AuditDeviceRef | undefined; id: string | null; links: AuditLinks }) {
  const { t } = useTranslation();
  if (!id) return <>—</>;
  return (
    <Space orientation="vertical" size={0}>
      {device && <Typography.Text strong>{deviceLabel(device)}</Typography.Text>}
      {device && (
        <Typography.Text type="secondary">
          {t('audit.deviceOwner', { owner: device.ownerName ?? device.userId, platform: device.platform })}
        </Typography.Text>
      )}
      <Typography.Text type="secondary" copyable style={{ fontSize: 12 }}>{id}</Typography.Text>
      <Space size={12}>
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => links.device(id)}>
          {t('audit.showDeviceEntries')}
        </Button>
        {device && (
          <Button type="link" size="small" style={{ padding: 0 }} onClick={() => links.incident({ kind: 'device', id })}>
            {t('audit.openIncident')}
          </Button>
        )}
      </Space>
    </Space>
  );
}

/** One audit entry, every field: names with links to the person's and device's trail, details as JSON. */
export function AuditEntryDrawer({ entry, onClose, links }: { entry: AuditEntryView | null; onClose: () => void; links: AuditLinks }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const target = entry?.names?.target;
  return (
    <Drawer
      open={entry !== null}
      onClose={onClose}
      size={520}
      title={entry ? t('audit.entryTitle', { seq: entry.seq }) : ''}
      data-testid="audit-entry"
    >
      {entry && (
        <Descriptions column={1} size="small" bordered styles={{ label: { width: 110 } }}>
          <Descriptions.Item label={t('audit.action')}>
            <Space orientation="vertical" size={0}>
              <Typography.Text strong>{auditActionText(entry.action, locale)}</Typography.Text>
              <Space size={4}>
                {auditGroupText(entry.action, locale) && <Tag>{auditGroupText(entry.action, locale)}</Tag>}
                {entry.routine && <Tag>{t('audit.routineTag')}</Tag>}
                <Typography.Text code style={{ fontSize: 12 }}>{entry.action}</Typography.Text>
              </Space>
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('audit.outcome')}>
            <Tag color={OUTCOME_COLORS[entry.outcome]}>{t(`audit.outcomes.${entry.outcome}`)}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('audit.time')}>{formatDateTime(entry.at, locale)}</Descriptions.Item>
          <Descriptions.Item label={t('audit.actor')}>
            <PersonValue person={entry.names?.actor} id={entry.actorId} links={links} />
          </Descriptions.Item>
          <Descriptions.Item label={t('audit.device')}>
            <DeviceValue device={entry.names?.device} id={entry.deviceId} links={links} />
          </Descriptions.Item>
          <Descriptions.Item label={t('audit.target')}>
            {target?.kind === 'user' ? (
              <PersonValue person={target} id={entry.target} links={links} />
            ) : target?.kind === 'device' ? (
              <DeviceValue device={target} id={target.id} links={links} />
            ) : (
              <Typography.Text copyable={!!entry.target}>{entry.target ?? '—'}</Typography.Text>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('audit.details')}>
            {Object.keys(entry.details).length === 0 ? (
              '—'
            ) : (
              <pre className="sv-audit-json" data-testid="audit-entry-details" style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 320, overflow: 'auto' }}>
                {JSON.stringify(entry.details, null, 2)}
              </pre>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('audit.seq')}>{entry.seq}</Descriptions.Item>
          <Descriptions.Item label={t('audit.hash')}>
            <Typography.Text copyable style={{ fontFamily: 'monospace', fontSize: 11, wordBreak: 'break-all' }}>{entry.hash}</Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      )}
    </Drawer>
  );
}
