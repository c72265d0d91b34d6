import { CloudUploadOutlined } from '@ant-design/icons';
import { Badge, Button, Drawer, Empty, List, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxItem } from '../../../shared/api/desktop-api';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { formatDateTime } from '../../lib/format';

const OP_COLORS = { create: 'green', update: 'blue', delete: 'red' } as const;

/** The outbox badge (AppState.outboxCount) and a drawer listing what waits to upload. */
export function OutboxButton() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<OutboxItem[] | null>(null);

  // Reload while open whenever the count changes (a push drained it, an edit added one).
  useEffect(() => {
    if (!open) return;
    let live = true;
    void api.listOutbox().then((r) => {
      const value = show(r);
      if (live && value) setItems(value);
    });
    return () => {
      live = false;
    };
  }, [open, state.outboxCount, api, show]);

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
      <Drawer title={t('outbox.title')} open={open} onClose={() => setOpen(false)} size={420}>
        {items && items.length === 0 ? (
          <Empty description={t('outbox.empty')} />
        ) : (
          <List
            loading={!items}
            dataSource={items ?? []}
            rowKey="mutationId"
            size="small"
            renderItem={(item) => (
              <List.Item>
                <List.Item.Meta
                  title={
                    <span>
                      <Tag color={OP_COLORS[item.op]}>{t(`outbox.op.${item.op}`)}</Tag>
                      {t(`entity.${item.entity}`)}
                      {item.activityKind && <> · {t(`activityKinds.${item.activityKind}`, { defaultValue: item.activityKind })}</>}
                      {item.label && <> · {item.label}</>}
                    </span>
                  }
                  description={
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {formatDateTime(item.createdAt, locale)}
                      {item.attempts > 0 && ` · ${t('outbox.attempts', { count: item.attempts })}`}
                    </Typography.Text>
                  }
                />
              </List.Item>
            )}
          />
        )}
      </Drawer>
    </>
  );
}
