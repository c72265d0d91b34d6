import { CloudUploadOutlined } from '@ant-design/icons';
import { App as AntApp, Badge, Button, Drawer, Empty, List, Popconfirm, Space, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxItem } from '../../../shared/api/desktop-api';
import { useApi, useAppState, useLocale, useResult, useSetAppState } from '../../app/context';
import { formatDateTime } from '../../lib/format';
import { useFieldLabel } from '../customers/field-specs';
import { useChangeValue } from './change-value';

const OP_COLORS = { create: 'green', update: 'blue', delete: 'red' } as const;

/** What an outbox edit changes: "field: old → new" for an update, "field: value" for a create. */
function OutboxChanges({ item }: { item: OutboxItem }) {
  const fieldLabel = useFieldLabel();
  const value = useChangeValue();
  if (!item.changes?.length) return null;
  return (
    <ul className="sv-changes" data-testid="outbox-changes">
      {item.changes.map((c) => (
        <li key={c.field}>
          <Typography.Text type="secondary">{fieldLabel(item.entity, c.field)}:</Typography.Text>{' '}
          {'before' in c ? (
            <>
              <Typography.Text delete type="secondary">{value(item.entity, c.field, c.before)}</Typography.Text> → <Typography.Text>{value(item.entity, c.field, c.after)}</Typography.Text>
            </>
          ) : (
            <Typography.Text>{value(item.entity, c.field, c.after)}</Typography.Text>
          )}
        </li>
      ))}
    </ul>
  );
}

/** The outbox badge (AppState.outboxCount) and a drawer listing what waits to upload: send now, or discard. */
export function OutboxButton() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const setState = useSetAppState();
  const locale = useLocale();
  const show = useResult();
  const { message } = AntApp.useApp();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<OutboxItem[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(
    (live: () => boolean = () => true) =>
      api.listOutbox().then((r) => {
        const value = show(r);
        if (live() && value) setItems(value);
      }),
    [api, show],
  );

  // Reload while open whenever the count changes (a push drained it, an edit added one).
  useEffect(() => {
    if (!open) return;
    let live = true;
    void load(() => live);
    return () => {
      live = false;
    };
  }, [open, state.outboxCount, load]);

  async function discard(item: OutboxItem) {
    setBusy(item.mutationId);
    const next = show(await api.discardOutboxItem({ mutationId: item.mutationId }));
    setBusy(null);
    if (!next) return;
    setState(next);
    void message.success(t('outbox.discarded'));
    await load();
  }

  async function retry(item: OutboxItem) {
    setBusy(item.mutationId);
    const next = show(await api.retryOutboxItem({ mutationId: item.mutationId }));
    setBusy(null);
    if (next) setState(next);
    await load();
  }

  const label = t('shell.outboxCount', { count: state.outboxCount });
  return (
    <>
      <Tooltip title={label}>
        <Badge count={state.outboxCount} size="small" offset={[-4, 4]} color="#f59e0b">
          <Button type="text" icon={<CloudUploadOutlined />} aria-label={label} onClick={() => setOpen(true)} data-testid="outbox-button" data-count={state.outboxCount}>
            {t('shell.outbox')}
          </Button>
        </Badge>
      </Tooltip>
      <Drawer title={t('outbox.title')} open={open} onClose={() => setOpen(false)} size={480}>
        {!state.online && (items?.length ?? 0) > 0 && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('outbox.offlineHint')}
          </Typography.Paragraph>
        )}
        {items && items.length === 0 ? (
          <Empty description={t('outbox.empty')} />
        ) : (
          <List
            loading={!items}
            dataSource={items ?? []}
            rowKey="mutationId"
            size="small"
            renderItem={(item) => {
              const name = [t(`entity.${item.entity}`), item.label].filter(Boolean).join(' · ');
              return (
                <List.Item data-testid="outbox-item" data-op={item.op}>
                  <div style={{ width: '100%' }}>
                    <div>
                      <Tag color={OP_COLORS[item.op]}>{t(`outbox.op.${item.op}`)}</Tag>
                      {t(`entity.${item.entity}`)}
                      {item.activityKind && <> · {t(`activityKinds.${item.activityKind}`, { defaultValue: item.activityKind })}</>}
                      {item.label && <> · {item.label}</>}
                    </div>
                    <OutboxChanges item={item} />
                    <Space style={{ width: '100%', justifyContent: 'space-between', marginTop: 4 }}>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {formatDateTime(item.createdAt, locale)}
                        {item.attempts > 0 && ` · ${t('outbox.attempts', { count: item.attempts })}`}
                      </Typography.Text>
                      <Space size={4}>
                        <Button size="small" loading={busy === item.mutationId} disabled={busy !== null} onClick={() => retry(item)} aria-label={`${t('outbox.retry')}: ${name}`}>
                          {t('outbox.retry')}
                        </Button>
                        {item.op !== 'delete' && (
                          <Popconfirm
                            title={t('outbox.discardTitle')}
                            description={<div style={{ maxWidth: 300 }}>{t(item.op === 'create' ? 'outbox.discardCreate' : 'outbox.discardUpdate')}</div>}
                            okText={t('outbox.discard')}
                            okButtonProps={{ danger: true }}
                            cancelText={t('common.cancel')}
                            onConfirm={() => discard(item)}
                          >
                            <Button size="small" danger disabled={busy !== null} aria-label={`${t('outbox.discard')}: ${name}`}>
                              {t('outbox.discard')}
                            </Button>
                          </Popconfirm>
                        )}
                      </Space>
                    </Space>
                  </div>
                </List.Item>
              );
            }}
          />
        )}
      </Drawer>
    </>
  );
}
