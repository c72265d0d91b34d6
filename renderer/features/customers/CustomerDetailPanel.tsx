import { CalendarOutlined, ClockCircleOutlined, EditOutlined, LockOutlined, PlusOutlined, ScheduleOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Skeleton, Space, Table, Tabs, Tag, Tooltip } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, ChildCursor, CustomerDetail, FieldAccess, FollowUpItem, TimelineActivity } from '../../../shared/api/desktop-api';
import type { Activity, Contact, Customer, Opportunity, OpportunityStage, Projected } from '../../../shared/domain/model';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { describeError } from '../../i18n';
import { capabilitiesOf } from '../../lib/capabilities';
import { displayValue, formatAmount, formatCny, formatDate, formatDateTime } from '../../lib/format';
import { StagePath } from '../opportunities/StagePath';
import { useNow } from '../../lib/use-now';
import { FIELD_SPECS, useFieldLabel } from './field-specs';
import { LogActivityForm } from './LogActivityForm';
import { CompleteFollowUpForm, PlanFollowUpForm } from '../home/FollowUpForms';
import { RecordForm } from './RecordForm';
import { ActivityTimeline } from './ActivityTimeline';
import { CustomerOwnerActions, ReassignDialog } from './CustomerOwnerActions';

/** The child lists as loaded so far: the detail's first pages, then further pages appended. */
interface Lists {
  contacts: Projected<Contact>[];
  opportunities: Projected<Opportunity>[];
  activities: TimelineActivity[];
  next: CustomerDetail['next'];
}
type ListKey = keyof Lists['next'];

const listsOf = (d: CustomerDetail): Lists => ({ contacts: d.contacts, opportunities: d.opportunities, activities: d.activities, next: d.next });

type Editing =
  | { kind: 'customer' }
  | { kind: 'contact'; record: Projected<Contact> | null }
  | { kind: 'opportunity'; record: Projected<Opportunity> | null }
  | { kind: 'activity' }
  | { kind: 'follow-up' }
  | null;

/** A label that shows a lock when the user may read but not change the field. */
function FieldLabel({ label, writable }: { label: string; writable: boolean }) {
  const { t } = useTranslation();
  if (writable) return <>{label}</>;
  return (
    <Tooltip title={t('common.readOnlyField')}>
      <span data-readonly="true">
        {label} <LockOutlined style={{ color: '#9ca3af', fontSize: 11 }} aria-label={t('common.readOnlyField')} />
      </span>
    </Tooltip>
  );
}

export function CustomerDetailPanel({ customerId, onAccess }: { customerId: string; onAccess: (a: FieldAccess) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const fieldLabel = useFieldLabel();
  const can = capabilitiesOf(state.user);
  const [detail, setDetailState] = useState<CustomerDetail | null>(null);
  const [lists, setLists] = useState<Lists | null>(null);
  const [loadingMore, setLoadingMore] = useState<ListKey | null>(null);
  /** Moves with each new detail, so a page asked for before it is not appended to it. */
  const generation = useRef(0);
  const setDetail = useCallback((d: CustomerDetail) => {
    generation.current += 1;
    setDetailState(d);
    setLists(listsOf(d));
    setLoadingMore(null);
  }, []);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [completing, setCompleting] = useState<FollowUpItem | null>(null);
  const [changing, setChanging] = useState<FollowUpItem | null>(null);
  const [reassigning, setReassigning] = useState<Projected<Opportunity> | null>(null);
  const closeReassign = useCallback(() => setReassigning(null), []);
  const now = useNow(60_000);

  const load = useCallback(
    () =>
      api.getCustomer({ id: customerId }).then((r) => {
        if (r.ok) {
          setDetail(r.value);
          setLoadError(null);
          onAccess(r.value.access.customer);
        } else {
          setLoadError(r.error);
        }
      }),
    [api, customerId, onAccess, setDetail],
  );

  // The next page of one list, after the last row loaded (keyset).
  const loadMore = useCallback(
    async (key: ListKey) => {
      const after: ChildCursor | null | undefined = lists?.next[key];
      if (!after || loadingMore) return;
      const at = generation.current;
      setLoadingMore(key);
      const input = { customerId, after };
      const r = key === 'activities' ? await api.customerActivities(input) : key === 'contacts' ? await api.customerContacts(input) : await api.customerOpportunities(input);
      if (at !== generation.current) return; // the detail was reloaded meanwhile
      setLoadingMore(null);
      const page = show(r as Awaited<ReturnType<typeof api.customerActivities>>);
      if (!page) return;
      setLists((l) => (l ? { ...l, [key]: [...l[key], ...page.rows], next: { ...l.next, [key]: page.next } } : l));
    },
    [api, customerId, lists, loadingMore, show],
  );
  const loadMoreActivities = useCallback(() => void loadMore('activities'), [loadMore]);

  // Reload after a sync that changed data (the record may have changed or left the scope) and after local edits.
  useEffect(() => {
    void load();
  }, [load, state.dataVersion, state.outboxCount]);

  if (loadError) {
    const text = describeError(loadError, locale);
    return (
      <div className="sv-page">
        <Alert type="warning" showIcon title={loadError.code === 'not_found' ? t('detail.notFound') : text.title} description={text.action} />
      </div>
    );
  }
  if (!detail || !lists) return <Skeleton active style={{ padding: 24 }} />;

  const { customer, access } = detail;
  const customerFields = FIELD_SPECS.customer.filter((s) => access.customer.readable.includes(s.name) && s.name !== 'name');
  const renderCustomerValue = (field: string) => {
    const value = (customer as unknown as Record<string, unknown>)[field];
    if (field === 'type') return value ? t(`customerType.${value as 'company'}`) : '—';
    if (field === 'creditLimit') return formatCny(value as number | null, locale);
    if (field === 'tags') return Array.isArray(value) && value.length ? value.map((tag) => <Tag key={String(tag)}>{String(tag)}</Tag>) : '—';
    return displayValue(value);
  };

  const contactColumns: ColumnsType<Projected<Contact>> = FIELD_SPECS.contact
    .filter((s) => access.contact.readable.includes(s.name))
    .map((s) => ({ key: s.name, dataIndex: s.name, title: fieldLabel('contact', s.name), render: (v: unknown) => displayValue(v) }));
  if (detail.canEdit && can.updateContact) {
    contactColumns.push({
      key: 'actions',
      title: t('common.actions'),
      width: 72,
      render: (_: unknown, record) => (
        <Button size="small" type="link" onClick={() => setEditing({ kind: 'contact', record })} aria-label={`${t('detail.editContact')}: ${record.name ?? ''}`}>
          {t('common.edit')}
        </Button>
      ),
    });
  }

  const opportunityColumns: ColumnsType<Projected<Opportunity>> = FIELD_SPECS.opportunity
    .filter((s) => access.opportunity.readable.includes(s.name))
    .map((s) => ({
      key: s.name,
      dataIndex: s.name,
      title: fieldLabel('opportunity', s.name),
      align: s.kind === 'money' || s.kind === 'percent' ? ('right' as const) : undefined,
      render: (v: unknown) => {
        // The stage path as on the opportunities list; amounts like the dashboards (万/亿, K/M), exact in the tooltip.
        if (s.name === 'stage') return <StagePath stage={(v as OpportunityStage | null) ?? null} compact />;
        if (s.kind === 'money') return typeof v === 'number' ? <Tooltip title={formatCny(v, locale)}>{formatAmount(v, locale)}</Tooltip> : '—';
        if (s.kind === 'date') return formatDate(v as string, locale);
        if (s.kind === 'percent') return typeof v === 'number' ? `${v}%` : '—';
        return displayValue(v);
      },
    }));
  // Edit and, when the role holds opportunity.reassign, hand one deal to someone else in the team.
  if (detail.canEdit && (can.updateOpportunity || can.reassignOpportunity)) {
    opportunityColumns.push({
      key: 'actions',
      title: t('common.actions'),
      width: can.updateOpportunity && can.reassignOpportunity ? 120 : 72,
      render: (_: unknown, record) => (
        <Space size={0}>
          {can.updateOpportunity && (
            <Button size="small" type="link" onClick={() => setEditing({ kind: 'opportunity', record })} aria-label={`${t('detail.editOpportunity')}: ${record.title ?? ''}`}>
              {t('common.edit')}
            </Button>
          )}
          {can.reassignOpportunity && (
            <Button size="small" type="link" onClick={() => setReassigning(record)} data-testid="reassign-opportunity" aria-label={`${t('ownership.reassignOpportunity')}: ${record.title ?? ''}`}>
              {t('ownership.reassignOpportunity')}
            </Button>
          )}
        </Space>
      ),
    });
  }

  // Saves through a call that answers with the refreshed detail.
  const saveWith = async (call: Promise<{ ok: true; value: CustomerDetail } | { ok: false; error: ApiError }>) => {
    const next = show(await call);
    if (next) setDetail(next);
    return !!next;
  };
  const createThenReload = async (call: Promise<{ ok: true; value: { id: string } } | { ok: false; error: ApiError }>) => {
    const created = show(await call);
    if (created) await load();
    return !!created;
  };

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <Space size={8} wrap>
          <h1 data-testid="customer-title">{customer.name}</h1>
          {customer.type && <Tag>{t(`customerType.${customer.type}`)}</Tag>}
          {detail.pending && (
            <Tooltip title={t('customers.pendingHelp')}>
              <Tag color="orange" icon={<ClockCircleOutlined />}>{t('customers.pending')}</Tag>
            </Tooltip>
          )}
          {!detail.canEdit && (
            <Tooltip title={t('detail.readOnlyHelp')}>
              <Tag icon={<LockOutlined />} data-testid="read-only-tag">{t('detail.readOnly')}</Tag>
            </Tooltip>
          )}
        </Space>
        <Space>
          <CustomerOwnerActions detail={detail} onChanged={setDetail} />
          {detail.canLogActivity && (
            <Button icon={<ScheduleOutlined />} onClick={() => setEditing({ kind: 'activity' })}>
              {detail.canEdit ? t('detail.logActivity') : t('detail.logServiceNote')}
            </Button>
          )}
          {detail.canEdit && (
            <Button type="primary" icon={<EditOutlined />} onClick={() => setEditing({ kind: 'customer' })}>
              {t('detail.edit')}
            </Button>
          )}
        </Space>
      </div>

      <div style={{ marginBottom: 12, background: '#fff' }}>
        <Descriptions
          size="small"
          bordered
          column={{ xs: 1, lg: 2 }}
          styles={{ label: { width: 110, whiteSpace: 'nowrap' } }}
          items={[
            ...customerFields.map((s) => ({
              key: s.name,
              label: <FieldLabel label={fieldLabel('customer', s.name)} writable={detail.canEdit && access.customer.writable.includes(s.name)} />,
              children: <span data-field={s.name}>{renderCustomerValue(s.name)}</span>,
              span: s.kind === 'textarea' || s.name === 'address' ? ('filled' as const) : undefined,
            })),
            { key: 'updatedAt', label: fieldLabel('customer', 'updatedAt'), children: formatDateTime(customer.updatedAt, locale) },
          ]}
        />
      </div>

      <div className="sv-panel" style={{ padding: '0 12px 12px' }}>
        {/* Only the tab in view is mounted: a hidden tab holds no DOM. */}
        <Tabs
          destroyOnHidden
          items={[
            {
              key: 'contacts',
              show: can.readContacts,
              label: t('detail.contacts', { count: detail.counts.contacts }),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  {detail.canEdit && can.createContact && (
                    <Button size="small" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'contact', record: null })}>
                      {t('detail.addContact')}
                    </Button>
                  )}
                  <Table
                    size="small"
                    rowKey="id"
                    pagination={false}
                    columns={contactColumns}
                    dataSource={lists.contacts}
                    locale={{ emptyText: t('detail.noContacts') }}
                  />
                  <MoreButton shown={lists.contacts.length} total={detail.counts.contacts} hasMore={lists.next.contacts !== null} loading={loadingMore === 'contacts'} onMore={() => void loadMore('contacts')} />
                </Space>
              ),
            },
            {
              key: 'opportunities',
              show: can.readOpportunities,
              label: t('detail.opportunities', { count: detail.counts.opportunities }),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  {detail.canEdit && can.createOpportunity && (
                    <Button size="small" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'opportunity', record: null })}>
                      {t('detail.addOpportunity')}
                    </Button>
                  )}
                  <Table
                    size="small"
                    rowKey="id"
                    pagination={false}
                    columns={opportunityColumns}
                    dataSource={lists.opportunities}
                    locale={{ emptyText: t('detail.noOpportunities') }}
                  />
                  <MoreButton shown={lists.opportunities.length} total={detail.counts.opportunities} hasMore={lists.next.opportunities !== null} loading={loadingMore === 'opportunities'} onMore={() => void loadMore('opportunities')} />
                </Space>
              ),
            },
            {
              key: 'activities',
              show: can.readActivities,
              label: t('detail.activities', { count: detail.counts.activities }),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  {detail.canEdit && detail.canLogActivity && can.planFollowUps && (
                    <Button size="small" icon={<CalendarOutlined />} onClick={() => setEditing({ kind: 'follow-up' })}>
                      {t('followUps.plan')}
                    </Button>
                  )}
                  <ActivityTimeline
                    activities={lists.activities}
                    total={detail.counts.activities}
                    hasMore={lists.next.activities !== null}
                    loadingMore={loadingMore === 'activities'}
                    onNeedMore={loadMoreActivities}
                    now={now}
                    canChangeFollowUps={detail.canEdit && can.completeFollowUps}
                    onEditFollowUp={(a) => setChanging(followUpOf(a, customer.id, customer.name ?? ''))}
                    onCompleteFollowUp={(a) => setCompleting(followUpOf(a, customer.id, customer.name ?? ''))}
                  />
                </Space>
              ),
            },
          ].filter((tab) => tab.show).map(({ show: _show, ...tab }) => tab)}
        />
      </div>

      <RecordForm
        formName="customer-edit"
        open={editing?.kind === 'customer'}
        title={t('forms.editCustomer', { name: customer.name ?? '' })}
        entity="customer"
        access={detail.canEdit ? access.customer : { readable: access.customer.readable, writable: [] }}
        initial={customer as unknown as Record<string, unknown>}
        onClose={() => setEditing(null)}
        onSubmit={(fields) => saveWith(api.updateCustomer({ id: customer.id, fields: fields as Partial<Customer> }))}
      />
      <RecordForm
        formName="contact-form"
        open={editing?.kind === 'contact'}
        title={
          editing?.kind === 'contact' && editing.record
            ? t('forms.editContact', { name: editing.record.name ?? '' })
            : t('forms.createContact')
        }
        entity="contact"
        access={access.contact}
        initial={editing?.kind === 'contact' && editing.record ? (editing.record as unknown as Record<string, unknown>) : null}
        onClose={() => setEditing(null)}
        onSubmit={(fields) =>
          editing?.kind === 'contact' && editing.record
            ? saveWith(api.updateContact({ id: editing.record.id, fields }))
            : createThenReload(api.createContact({ ...(fields as { name: string }), customerId: customer.id }))
        }
      />
      <RecordForm
        formName="opportunity-form"
        open={editing?.kind === 'opportunity'}
        title={
          editing?.kind === 'opportunity' && editing.record
            ? t('forms.editOpportunity', { name: editing.record.title ?? '' })
            : t('forms.createOpportunity')
        }
        entity="opportunity"
        access={access.opportunity}
        initial={editing?.kind === 'opportunity' && editing.record ? (editing.record as unknown as Record<string, unknown>) : null}
        defaults={{ stage: 'lead', probability: 10 }}
        onClose={() => setEditing(null)}
        onSubmit={(fields) =>
          editing?.kind === 'opportunity' && editing.record
            ? saveWith(api.updateOpportunity({ id: editing.record.id, fields }))
            : createThenReload(
                api.createOpportunity({
                  ...(fields as { title: string; stage: Opportunity['stage'] }),
                  customerId: customer.id,
                }),
              )
        }
      />
      <LogActivityForm
        open={editing?.kind === 'activity'}
        customerId={customer.id}
        customerName={customer.name ?? ''}
        defaultKind={detail.canEdit ? 'visit' : 'service_note'}
        onClose={() => setEditing(null)}
        onLogged={() => void load()}
      />
      <PlanFollowUpForm
        open={editing?.kind === 'follow-up'}
        customerId={customer.id}
        customerName={customer.name ?? ''}
        onClose={() => setEditing(null)}
        onPlanned={() => void load()}
      />
      <CompleteFollowUpForm followUp={completing} onClose={() => setCompleting(null)} onCompleted={() => void load()} />
      <PlanFollowUpForm
        open={changing !== null}
        customerId={customer.id}
        customerName={customer.name ?? ''}
        editing={changing}
        onClose={() => setChanging(null)}
        onPlanned={() => void load()}
      />
      {reassigning && (
        <ReassignDialog
          entity="opportunity"
          id={reassigning.id}
          name={reassigning.title ?? ''}
          onClose={closeReassign}
          onDone={(next) => {
            setReassigning(null);
            setDetail(next);
          }}
        />
      )}
    </div>
  );
}

/** An open follow-up of the timeline as the completion form takes it. */
function followUpOf(a: Projected<Activity>, customerId: string, customerName: string): FollowUpItem {
  const item: FollowUpItem = {
    id: a.id, customerId, customerName, dueAt: Number(a.dueAt), reminderAt: a.reminderAt ?? null, doneAt: null,
    authorId: a.authorId ?? '', authorName: null, pending: false, canEdit: true,
  };
  if (a.kind) item.kind = a.kind;
  if (a.text !== undefined) item.text = a.text;
  return item;
}

/** Under a table that shows a first page: how many of how many, and a button for the next page. */
function MoreButton({ shown, total, hasMore, loading, onMore }: { shown: number; total: number; hasMore: boolean; loading: boolean; onMore: () => void }) {
  const { t } = useTranslation();
  if (!hasMore) return null;
  return (
    <Button size="small" type="link" loading={loading} onClick={onMore}>
      {t('detail.showMore', { shown, total })}
    </Button>
  );
}
