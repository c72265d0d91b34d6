import { ReloadOutlined, UndoOutlined } from '@ant-design/icons';
import { App, Alert, Button, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RecycleBinItem, RecycleBinList } from '../../../shared/protocol/recycle-bin';
import { RECYCLE_BIN_DAYS } from '../../../shared/protocol/recycle-bin';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { formatDateTime } from '../../lib/format';
import { useLoad } from '../../lib/use-load';

const DAY_MS = 86_400_000;

/** Whole days until the purge, counted on the server's clock (the last day counts as one). */
export function daysLeft(item: Pick<RecycleBinItem, 'purgeAt'>, serverTime: number): number {
  return Math.max(0, Math.ceil((item.purgeAt - serverTime) / DAY_MS));
}

/**
 * Deleted customers in the user's scope (docs/reassign-and-delete.md): who deleted each and
 * when, the days left before the server erases it, and a restore. The bin is on the server, so
 * this page needs the connection; it says so when offline.
 */
export function RecycleBinView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const { modal, message } = App.useApp();
  const bin = useLoad<RecycleBinList | null>(`recycle-bin:${state.online}`, async () =>
    state.online ? api.listRecycleBin() : { ok: true as const, value: null },
  );
  const list = bin.value;
  const nameOf = (item: RecycleBinItem) => item.name ?? item.customerId;

  function restore(item: RecycleBinItem) {
    modal.confirm({
      title: t('recycleBin.restoreConfirm', { name: nameOf(item) }),
      okText: t('recycleBin.restore'),
      okButtonProps: { 'data-testid': 'restore-confirm' },
      cancelText: t('common.cancel'),
      onOk: async () => {
        if (!show(await api.restoreCustomer({ id: item.customerId }))) return;
        void message.success(t('recycleBin.restored', { name: nameOf(item) }));
        bin.setValue((prev) => (prev ? { ...prev, items: prev.items.filter((i) => i.customerId !== item.customerId) } : prev));
      },
    });
  }

  return (
    <div className="sv-page" data-testid="recycle-bin">
      <div className="sv-page-title">
        <h1>{t('recycleBin.title')}</h1>
        <Tooltip title={t('recycleBin.refresh')}>
          <Button icon={<ReloadOutlined />} aria-label={t('recycleBin.refresh')} disabled={!state.online} onClick={() => void bin.reload()} />
        </Tooltip>
      </div>
      <Typography.Paragraph type="secondary">{t('recycleBin.intro', { days: RECYCLE_BIN_DAYS })}</Typography.Paragraph>
      {!state.online && <Alert type="warning" showIcon data-testid="recycle-bin-offline" title={t('recycleBin.offline')} style={{ marginBottom: 12 }} />}
      <Table<RecycleBinItem>
        className="sv-panel"
        size="small"
        rowKey="customerId"
        loading={state.online && bin.loading}
        dataSource={list?.items ?? []}
        pagination={{ pageSize: 50, size: 'small', hideOnSinglePage: true }}
        locale={{ emptyText: t('recycleBin.empty') }}
        columns={[
          {
            key: 'name',
            title: t('recycleBin.customer'),
            render: (_: unknown, item) =>
              item.name ?? (
                <Tooltip title={t('recycleBin.hiddenName')}>
                  <Typography.Text type="secondary">{item.customerId}</Typography.Text>
                </Tooltip>
              ),
          },
          { key: 'owner', title: t('recycleBin.owner'), dataIndex: 'ownerName' },
          { key: 'deletedBy', title: t('recycleBin.deletedBy'), render: (_: unknown, item) => item.deletedByName ?? t('recycleBin.server') },
          { key: 'deletedAt', title: t('recycleBin.deletedAt'), render: (_: unknown, item) => formatDateTime(item.deletedAt, locale) },
          {
            key: 'daysLeft',
            title: t('recycleBin.daysLeft'),
            render: (_: unknown, item) => {
              const days = daysLeft(item, list?.serverTime ?? Date.now());
              return (
                <Tooltip title={formatDateTime(item.purgeAt, locale)}>
                  <Tag color={days <= 3 ? 'red' : days <= 7 ? 'orange' : 'default'} data-testid="days-left">
                    {days <= 1 ? t('recycleBin.lastDay') : t('recycleBin.daysLeftValue', { count: days })}
                  </Tag>
                </Tooltip>
              );
            },
          },
          {
            key: 'actions',
            title: '',
            width: 96,
            render: (_: unknown, item) => (
              <Button size="small" icon={<UndoOutlined />} disabled={!state.online} onClick={() => restore(item)} aria-label={`${t('recycleBin.restore')}: ${nameOf(item)}`}>
                {t('recycleBin.restore')}
              </Button>
            ),
          },
        ]}
      />
    </div>
  );
}
