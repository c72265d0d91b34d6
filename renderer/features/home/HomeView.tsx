import { BellOutlined, CheckOutlined, ClockCircleOutlined, CloudOutlined, DisconnectOutlined, EditOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Descriptions, List, Row, Segmented, Skeleton, Space, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FollowUpItem, HomeOverview } from '../../../shared/api/desktop-api';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { describeError } from '../../i18n';
import { capabilitiesOf } from '../../lib/capabilities';
import { screenDay } from '../../lib/screen-day';
import { formatCnyCompact, formatDate, formatDateTime, formatNumber } from '../../lib/format';
import { CompleteFollowUpForm, PlanFollowUpForm } from './FollowUpForms';

// The first screen of a user with customer data (docs/follow-ups.md): today's and overdue
// follow-ups, the next week, opportunities closing soon, recently viewed customers, and the
// sync and lease state. Everything comes from the vault through the core, so it works offline.

function FollowUpRow({
  item,
  overdue,
  showAuthor,
  onComplete,
  onEdit,
  onOpenCustomer,
}: {
  item: FollowUpItem;
  overdue: boolean;
  showAuthor: boolean;
  onComplete: (item: FollowUpItem) => void;
  onEdit: (item: FollowUpItem) => void;
  onOpenCustomer: (id: string) => void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const can = capabilitiesOf(useAppState().user);
  const label = item.text ?? (item.kind ? t(`activityKinds.${item.kind}`) : '');
  return (
    <List.Item
      data-testid="follow-up"
      data-follow-up-id={item.id}
      actions={
        item.canEdit && can.completeFollowUps
          ? [
              <Button key="edit" size="small" type="text" icon={<EditOutlined />} onClick={() => onEdit(item)} aria-label={t('followUps.editAria', { text: label })}>
                {t('followUps.edit')}
              </Button>,
              <Button key="done" size="small" icon={<CheckOutlined />} onClick={() => onComplete(item)} aria-label={t('followUps.completeAria', { text: label })}>
                {t('followUps.complete')}
              </Button>,
            ]
          : []
      }
    >
      <List.Item.Meta
        title={
          <Space size={6} wrap>
            {item.kind && <Tag>{t(`activityKinds.${item.kind}`)}</Tag>}
            <Typography.Text strong>{label}</Typography.Text>
            {item.pending && (
              <Tooltip title={t('customers.pendingHelp')}>
                <Tag color="orange" icon={<ClockCircleOutlined />}>{t('customers.pending')}</Tag>
              </Tooltip>
            )}
          </Space>
        }
        description={
          <Space size={8} wrap style={{ fontSize: 12 }}>
            <Typography.Text type={overdue ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
              {t('followUps.due', { time: formatDateTime(item.dueAt, locale) })}
            </Typography.Text>
            <Typography.Link style={{ fontSize: 12 }} onClick={() => onOpenCustomer(item.customerId)} aria-label={t('followUps.openCustomerAria', { name: item.customerName })}>
              {item.customerName}
            </Typography.Link>
            {showAuthor && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('followUps.author', { name: item.authorName ?? item.authorId })}
              </Typography.Text>
            )}
          </Space>
        }
      />
    </List.Item>
  );
}

/** A one-line empty state: the home page's lists sit side by side and should stay compact. */
function EmptyLine({ text }: { text: string }) {
  return (
    <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, padding: '10px 0', textAlign: 'start' }}>
      {text}
    </Typography.Text>
  );
}

function FollowUpCard(props: {
  testId: string;
  title: string;
  empty: string;
  items: FollowUpItem[];
  overdue?: boolean;
  footer?: string | null;
  showAuthor: boolean;
  onComplete: (item: FollowUpItem) => void;
  onEdit: (item: FollowUpItem) => void;
  onOpenCustomer: (id: string) => void;
}) {
  return (
    <Card size="small" title={props.title} data-testid={props.testId} styles={{ body: { paddingTop: 0, paddingBottom: 4 } }}>
      <List
        size="small"
        dataSource={props.items}
        locale={{ emptyText: <EmptyLine text={props.empty} /> }}
        renderItem={(item) => (
          <FollowUpRow item={item} overdue={!!props.overdue} showAuthor={props.showAuthor} onComplete={props.onComplete} onEdit={props.onEdit} onOpenCustomer={props.onOpenCustomer} />
        )}
      />
      {props.footer && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 8px' }}>
          {props.footer}
        </Typography.Paragraph>
      )}
    </Card>
  );
}

function StatusCard() {
  const { t } = useTranslation();
  const state = useAppState();
  const locale = useLocale();
  return (
    <Card size="small" title={t('home.status')} data-testid="home-status">
      <Space orientation="vertical" size={6} style={{ width: '100%' }}>
        {state.online ? (
          <Tag color="green" icon={<CloudOutlined />}>{t('home.online')}</Tag>
        ) : (
          <Tag color="red" icon={<DisconnectOutlined />}>{t('home.offline')}</Tag>
        )}
        {state.sync.status === 'error' && state.sync.lastError && (
          <Typography.Text type="danger" style={{ fontSize: 12 }}>
            {t('home.syncError', { error: describeError({ code: state.sync.lastError }, locale).title })}
          </Typography.Text>
        )}
        <Descriptions
          size="small"
          column={1}
          items={[
            { key: 'sync', label: t('home.lastSync'), children: state.lastSyncAt ? formatDateTime(state.lastSyncAt, locale) : t('shell.neverSynced') },
            { key: 'outbox', label: t('home.outbox'), children: <span data-testid="home-outbox-count">{formatNumber(state.outboxCount, locale)}</span> },
            { key: 'lease', label: t('home.leaseUntil'), children: formatDateTime(state.leaseUntil, locale) },
          ]}
        />
      </Space>
    </Card>
  );
}

export function HomeView({ onOpenCustomer }: { onOpenCustomer: (id: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const team = state.user?.actions.includes('dashboard.team') ?? false;
  const [scope, setScope] = useState<'mine' | 'team'>('mine');
  const [data, setData] = useState<HomeOverview | null>(null);
  const [completing, setCompleting] = useState<FollowUpItem | null>(null);
  const [editing, setEditing] = useState<FollowUpItem | null>(null);

  const load = useCallback(
    () =>
      api.homeOverview({ scope, day: screenDay() }).then((r) => {
        const value = show(r);
        if (value) setData(value);
      }),
    [api, show, scope],
  );

  // Again whenever the vault's data changed (a sync, a local edit), and once a minute so that
  // "due today" and reminders follow the clock.
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 60_000);
    return () => clearInterval(timer);
  }, [load, state.dataVersion]);

  if (!data) return <Skeleton active style={{ padding: 24 }} />;

  const showAuthor = scope === 'team';
  const common = { showAuthor, onComplete: setCompleting, onEdit: setEditing, onOpenCustomer };

  async function dismiss(id: string) {
    if (show(await api.dismissReminder({ id }))) await load();
  }

  return (
    <div className="sv-page" data-testid="home">
      <div className="sv-page-title">
        <Space orientation="vertical" size={0}>
          <h1>{t('home.title')}</h1>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('home.subtitle', { date: formatDate(data.today, locale) })}
          </Typography.Text>
        </Space>
        <Space>
          {team && (
            <Segmented
              aria-label={t('home.scope')}
              value={scope}
              onChange={(v) => setScope(v as 'mine' | 'team')}
              options={[
                { value: 'mine', label: t('home.scopeMine') },
                { value: 'team', label: t('home.scopeTeam') },
              ]}
            />
          )}
          <Button icon={<ReloadOutlined />} onClick={() => void load()}>
            {t('common.refresh')}
          </Button>
        </Space>
      </div>

      {data.reminders.length > 0 && (
        <Alert
          type="info"
          showIcon
          icon={<BellOutlined />}
          role="status"
          data-testid="reminders"
          style={{ marginBottom: 12 }}
          title={t('home.reminders', { count: data.reminders.length })}
          description={
            <Space orientation="vertical" size={2} style={{ width: '100%' }}>
              {data.reminders.map((r) => (
                <Space key={r.id} size={8} wrap>
                  <Typography.Text>{r.text ?? (r.kind ? t(`activityKinds.${r.kind}`) : '')}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.customerName} · {t('followUps.due', { time: formatDateTime(r.dueAt, locale) })}
                  </Typography.Text>
                  <Button size="small" type="link" onClick={() => void dismiss(r.id)} aria-label={t('home.dismissAria', { text: r.text ?? r.customerName })}>
                    {t('home.dismiss')}
                  </Button>
                </Space>
              ))}
            </Space>
          }
        />
      )}

      <Row gutter={[12, 12]}>
        <Col xs={24} lg={16}>
          <Space orientation="vertical" size={12} style={{ width: '100%' }}>
            <FollowUpCard testId="due-today" title={t('home.dueToday', { count: data.dueToday.length })} empty={t('home.noDueToday')} items={data.dueToday} {...common} />
            <FollowUpCard
              testId="overdue"
              title={t('home.overdue', { count: data.overdueTotal })}
              empty={t('home.noOverdue')}
              items={data.overdue}
              overdue
              footer={data.overdueTotal > data.overdue.length ? t('home.overdueMore', { count: data.overdueTotal - data.overdue.length }) : null}
              {...common}
            />
            <FollowUpCard
              testId="upcoming"
              title={t('home.upcoming', { count: data.upcoming.length })}
              empty={t('home.noUpcoming')}
              items={data.upcoming}
              footer={data.dueToday.length + data.overdue.length + data.upcoming.length === 0 ? t('home.howToPlan') : null}
              {...common}
            />
          </Space>
        </Col>
        <Col xs={24} lg={8}>
          <Space orientation="vertical" size={12} style={{ width: '100%' }}>
            <StatusCard />
            <Card size="small" title={t('home.recent')} data-testid="recent-customers" styles={{ body: { paddingTop: 0, paddingBottom: 4 } }}>
              <List
                size="small"
                dataSource={data.recentCustomers}
                locale={{ emptyText: <EmptyLine text={t('home.noRecent')} /> }}
                renderItem={(c) => (
                  <List.Item extra={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.city ?? ''}</Typography.Text>}>
                    <Typography.Link onClick={() => onOpenCustomer(c.id)} aria-label={t('followUps.openCustomerAria', { name: c.name })}>
                      {c.name}
                    </Typography.Link>
                  </List.Item>
                )}
              />
            </Card>
            <Card size="small" title={t('home.closingSoon')} data-testid="closing-soon" styles={{ body: { paddingTop: 0, paddingBottom: 4 } }}>
              <List
                size="small"
                dataSource={data.closingSoon}
                locale={{ emptyText: <EmptyLine text={t('home.noClosingSoon')} /> }}
                renderItem={(o) => (
                  <List.Item>
                    <List.Item.Meta
                      title={<Typography.Link onClick={() => onOpenCustomer(o.customerId)}>{o.title}</Typography.Link>}
                      description={
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {[
                            o.customerName,
                            formatDate(o.expectedCloseDate, locale),
                            o.stage ? t(`stages.${o.stage}`) : null,
                            o.amount === undefined || o.amount === null ? null : formatCnyCompact(o.amount, locale),
                          ].filter(Boolean).join(' · ')}
                        </Typography.Text>
                      }
                    />
                  </List.Item>
                )}
              />
            </Card>
          </Space>
        </Col>
      </Row>

      <CompleteFollowUpForm followUp={completing} onClose={() => setCompleting(null)} onCompleted={() => void load()} />
      <PlanFollowUpForm
        open={editing !== null}
        customerId={editing?.customerId ?? ''}
        customerName={editing?.customerName ?? ''}
        editing={editing}
        onClose={() => setEditing(null)}
        onPlanned={() => void load()}
      />
    </div>
  );
}
