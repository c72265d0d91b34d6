import { CalendarOutlined, CheckOutlined, ClockCircleOutlined, EditOutlined, LockOutlined, PlusOutlined, ScheduleOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Empty, Skeleton, Space, Table, Tabs, Tag, Timeline, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, CustomerDetail, FieldAccess, FollowUpItem } from '../../../shared/api/desktop-api';
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
import { CustomerOwnerActions } from './CustomerOwnerActions';

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
  const [detail, setDetail] = useState<CustomerDetail | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [completing, setCompleting] = useState<FollowUpItem | null>(null);
  const [changing, setChanging] = useState<FollowUpItem | null>(null);
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
    [api, customerId, onAccess],
  );

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
  if (!detail) return <Skeleton active style={{ padding: 24 }} />;

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
  if (detail.canEdit && can.updateOpportunity) {
    opportunityColumns.push({
      key: 'actions',
      title: t('common.actions'),
      width: 72,
      render: (_: unknown, record) => (
        <Button size="small" type="link" onClick={() => setEditing({ kind: 'opportunity', record })} aria-label={`${t('detail.editOpportunity')}: ${record.title ?? ''}`}>
          {t('common.edit')}
        </Button>
      ),
    });
  }

  const activities = [...detail.activities].sort((a, b) => (b.at ?? 0) - (a.at ?? 0));

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
        <Tabs
          items={[
            {
              key: 'contacts',
              show: can.readContacts,
              label: t('detail.contacts', { count: detail.contacts.length }),
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
                    dataSource={detail.contacts}
                    locale={{ emptyText: t('detail.noContacts') }}
                  />
                </Space>
              ),
            },
            {
              key: 'opportunities',
              show: can.readOpportunities,
              label: t('detail.opportunities', { count: detail.opportunities.length }),
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
                    dataSource={detail.opportunities}
                    locale={{ emptyText: t('detail.noOpportunities') }}
                  />
                </Space>
              ),
            },
            {
              key: 'activities',
              show: can.readActivities,
              label: t('detail.activities', { count: detail.activities.length }),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  {detail.canEdit && detail.canLogActivity && can.planFollowUps && (
                    <Button size="small" icon={<CalendarOutlined />} onClick={() => setEditing({ kind: 'follow-up' })}>
                      {t('followUps.plan')}
                    </Button>
                  )}
                  {activities.length ? (
                    <Timeline
                      style={{ paddingTop: 8 }}
                      items={activities.map((a) => {
                        // A follow-up (docs/follow-ups.md): open while not done, then a logged activity.
                        const open = typeof a.dueAt === 'number' && (a.doneAt ?? null) === null;
                        const late = open && (a.dueAt as number) < now;
                        return {
                          key: a.id,
                          color: open ? (late ? 'red' : 'orange') : a.kind === 'service_note' ? 'purple' : a.kind === 'visit' ? 'blue' : 'gray',
                          content: (
                            <div data-activity-id={a.id}>
                              <Space size={6} wrap>
                                {a.kind && <Tag>{t(`activityKinds.${a.kind}`)}</Tag>}
                                {open && <Tag color={late ? 'red' : 'orange'}>{late ? t('followUps.overdueTag') : t('followUps.open')}</Tag>}
                                {typeof a.dueAt === 'number' && !open && <Tag color="green">{t('followUps.done')}</Tag>}
                                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                                  {open ? t('followUps.due', { time: formatDateTime(a.dueAt, locale) }) : formatDateTime(a.at ?? a.updatedAt, locale)}
                                </Typography.Text>
                                {open && detail.canEdit && can.completeFollowUps && (
                                  <Button
                                    size="small"
                                    type="link"
                                    icon={<EditOutlined />}
                                    onClick={() => setChanging(followUpOf(a, customer.id, customer.name ?? ''))}
                                    aria-label={t('followUps.editAria', { text: a.text ?? '' })}
                                  >
                                    {t('followUps.edit')}
                                  </Button>
                                )}
                                {open && detail.canEdit && can.completeFollowUps && (
                                  <Button
                                    size="small"
                                    type="link"
                                    icon={<CheckOutlined />}
                                    onClick={() => setCompleting(followUpOf(a, customer.id, customer.name ?? ''))}
                                    aria-label={t('followUps.completeAria', { text: a.text ?? '' })}
                                  >
                                    {t('followUps.complete')}
                                  </Button>
                                )}
                              </Space>
                              {a.text !== undefined && <div style={{ marginTop: 4, whiteSpace: 'pre-wrap' }}>{a.text}</div>}
                            </div>
                          ),
                        };
                      })}
                    />
                  ) : (
                    <Empty description={t('detail.noActivities')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
                  )}
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
