import { CheckOutlined, EditOutlined, UserOutlined } from '@ant-design/icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Button, Empty, Space, Spin, Tag, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { TimelineActivity } from '../../../shared/api/desktop-api';
import { useLocale } from '../../app/context';
import { formatDateTime } from '../../lib/format';

/** A first guess of a row's height; each row is measured once it is drawn. */
const ESTIMATED_ROW = 76;
/** Ask for the next page when the viewport is this many rows from the end of what is loaded. */
const LOAD_AHEAD = 15;

export interface ActivityTimelineProps {
  activities: TimelineActivity[];
  /** How many the customer has in all (more may be loaded as the user scrolls). */
  total: number;
  /** A further page can be loaded (the detail's cursor is not exhausted). */
  hasMore: boolean;
  loadingMore: boolean;
  onNeedMore: () => void;
  now: number;
  /** Open follow-ups may be rescheduled and completed from here. */
  canChangeFollowUps: boolean;
  onEditFollowUp: (a: TimelineActivity) => void;
  onCompleteFollowUp: (a: TimelineActivity) => void;
}

/**
 * A customer's activities, newest first, virtualised: only the rows in view (and a few around
 * them) exist in the DOM, so a customer with thousands of activities opens as fast as one with
 * ten. Further pages are asked for as the viewport nears the end of the loaded rows.
 */
export function ActivityTimeline(props: ActivityTimelineProps) {
  const { activities, total, hasMore, loadingMore, onNeedMore } = props;
  const { t } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is mutable by design; this component is not auto-memoised
  const virtualizer = useVirtualizer({
    count: activities.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW,
    overscan: 6,
    getItemKey: (index) => activities[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.length ? items[items.length - 1]!.index : 0;

  useEffect(() => {
    if (hasMore && !loadingMore && lastVisible >= activities.length - LOAD_AHEAD) onNeedMore();
  }, [lastVisible, activities.length, hasMore, loadingMore, onNeedMore]);

  if (!activities.length) return <Empty description={t('detail.noActivities')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <div
      ref={scrollRef}
      className="sv-timeline"
      data-testid="activity-timeline"
      role="list"
      aria-label={t('detail.activities', { count: total })}
      style={{ height: 'min(460px, calc(100vh - 330px))', minHeight: 220, overflow: 'auto', position: 'relative' }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const a = activities[item.index]!;
          return (
            <div
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              role="listitem"
              style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
            >
              <TimelineRow activity={a} {...props} />
            </div>
          );
        })}
      </div>
      {hasMore && (
        <div style={{ textAlign: 'center', padding: 8 }} data-testid="timeline-loading">
          {loadingMore ? <Spin size="small" /> : null}
          <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
            {t('detail.activitiesLoaded', { loaded: activities.length, total })}
          </Typography.Text>
        </div>
      )}
    </div>
  );
}

/** One activity: kind, follow-up state, moment, who logged it, its text. */
function TimelineRow({ activity: a, now, canChangeFollowUps, onEditFollowUp, onCompleteFollowUp }: { activity: TimelineActivity } & ActivityTimelineProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  // A follow-up (docs/follow-ups.md): open while not done, then a logged activity.
  const open = typeof a.dueAt === 'number' && (a.doneAt ?? null) === null;
  const late = open && (a.dueAt as number) < now;
  const color = open ? (late ? '#ff4d4f' : '#fa8c16') : a.kind === 'service_note' ? '#722ed1' : a.kind === 'visit' ? '#1677ff' : '#bfbfbf';
  return (
    <div data-activity-id={a.id} style={{ display: 'flex', gap: 12, padding: '8px 4px 8px 2px' }}>
      <span aria-hidden style={{ flex: 'none', width: 10, height: 10, marginTop: 6, borderRadius: '50%', border: `2px solid ${color}`, background: '#fff' }} />
      <div style={{ minWidth: 0, flex: 1 }}>
        <Space size={6} wrap>
          {a.kind && <Tag>{t(`activityKinds.${a.kind}`)}</Tag>}
          {open && <Tag color={late ? 'red' : 'orange'}>{late ? t('followUps.overdueTag') : t('followUps.open')}</Tag>}
          {typeof a.dueAt === 'number' && !open && <Tag color="green">{t('followUps.done')}</Tag>}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {open ? t('followUps.due', { time: formatDateTime(a.dueAt, locale) }) : formatDateTime(a.at ?? a.updatedAt, locale)}
          </Typography.Text>
          {a.authorName && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="activity-author">
              <UserOutlined /> {t('detail.loggedBy', { name: a.authorName })}
            </Typography.Text>
          )}
          {open && canChangeFollowUps && (
            <Button size="small" type="link" icon={<EditOutlined />} onClick={() => onEditFollowUp(a)} aria-label={t('followUps.editAria', { text: a.text ?? '' })}>
              {t('followUps.edit')}
            </Button>
          )}
          {open && canChangeFollowUps && (
            <Button size="small" type="link" icon={<CheckOutlined />} onClick={() => onCompleteFollowUp(a)} aria-label={t('followUps.completeAria', { text: a.text ?? '' })}>
              {t('followUps.complete')}
            </Button>
          )}
        </Space>
        {a.text !== undefined && <div style={{ marginTop: 4, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{a.text}</div>}
      </div>
    </div>
  );
}
