import { PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, Empty, Input, Select, Space, Tag, Typography, type InputRef } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerListItem, FieldAccess, SessionUser } from '../../../shared/api/desktop-api';
import { DEFAULT_CLASSIFICATION } from '../../../shared/domain/model';
import { readableFields, writableFields } from '../../../shared/permissions/engine';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { useDrill, type CustomerDrill } from '../../app/navigation';
import { capabilitiesOf } from '../../lib/capabilities';
import { formatNumber } from '../../lib/format';
import { useDebounced } from '../../lib/use-debounced';
import { ExportCustomersButton } from './ExportCustomersButton';
import { CustomerDetailPanel } from './CustomerDetailPanel';
import { CustomerList } from './CustomerList';
import { customerListRequestKey } from './list-request';
import { RecordForm } from './RecordForm';

const PAGE = 200;
/** Instant search waits this long after the last keystroke. */
const SEARCH_DEBOUNCE_MS = 150;

interface Filters {
  city?: string;
  industry?: string;
  tag?: string;
}

/** The criteria a dashboard figure hands over (see app/navigation.tsx), apart from the user's own filters. */
type DrillCriteria = Pick<CustomerDrill, 'ownerIds' | 'notContactedSince' | 'activityFrom' | 'activityTo'>;

function drillCriteria(drill: CustomerDrill | undefined): DrillCriteria {
  if (!drill) return {};
  const { ownerIds, notContactedSince, activityFrom, activityTo } = drill;
  return Object.fromEntries(Object.entries({ ownerIds, notContactedSince, activityFrom, activityTo }).filter(([, v]) => v !== undefined));
}

export function CustomersView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const can = capabilitiesOf(state.user);

  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<Filters>({});
  const debouncedQuery = useDebounced(query, SEARCH_DEBOUNCE_MS);
  const [rows, setRows] = useState<CustomerListItem[]>([]);
  const [total, setTotal] = useState(0);
  /** The request whose answer is on screen; loading while it differs from the current one. */
  const [shownRequest, setShownRequest] = useState<string | null>(null);
  const [facets, setFacets] = useState<{ cities: string[]; industries: string[]; tags: string[] }>({ cities: [], industries: [], tags: [] });
  const drill = useDrill('customers');
  const [drilled, setDrilled] = useState<{ seq: number; criteria: DrillCriteria; label: string | null }>({ seq: drill?.seq ?? 0, criteria: drillCriteria(drill?.drill), label: drill?.label ?? null });
  const [selectedId, setSelectedId] = useState<string | null>(drill?.drill.customerId ?? null);
  // Another drill-down while the list is open replaces the last one.
  if (drill && drill.seq !== drilled.seq) {
    setDrilled({ seq: drill.seq, criteria: drillCriteria(drill.drill), label: drill.label ?? null });
    if (drill.drill.customerId) setSelectedId(drill.drill.customerId);
  }
  const [creating, setCreating] = useState(false);
  /** Field access seen on the last opened customer (same for every customer of this user). */
  const [customerAccess, setCustomerAccess] = useState<FieldAccess | null>(null);
  // Answers to an older search must not overwrite a newer one.
  const searchSeq = useRef(0);
  const loadingMore = useRef(false);
  const listRef = useRef<HTMLDivElement | null>(null);
  const searchRef = useRef<InputRef | null>(null);

  const searchKey = JSON.stringify([debouncedQuery, filters, drilled.criteria]);
  const requestKey = customerListRequestKey(searchKey, state);
  // Loading from the first keystroke: while the debounce is pending the shown rows and count
  // belong to the previous query, and the list is remounted when the new one is searched.
  const loading = query !== debouncedQuery || shownRequest !== requestKey;

  // New search, and again whenever a sync or a local edit changed the data.
  useEffect(() => {
    const seq = ++searchSeq.current;
    void api.searchCustomers({ query: debouncedQuery, ...filters, ...drilled.criteria, offset: 0, limit: PAGE }).then((r) => {
      if (seq !== searchSeq.current) return;
      setShownRequest(requestKey);
      const value = show(r);
      if (!value) return;
      setRows(value.rows);
      setTotal(value.total ?? value.rows.length);
    });
  }, [api, show, debouncedQuery, filters, drilled.criteria, requestKey]);

  useEffect(() => {
    void api.listFacets().then((r) => {
      if (r.ok) setFacets(r.value);
    });
  }, [api, state.dataVersion]);

  const loadMore = useCallback(() => {
    if (loadingMore.current) return;
    loadingMore.current = true;
    const seq = searchSeq.current;
    // Keyset paging: the next page starts after the last loaded row's position in the sort
    // order (name, id); it is one index seek at any depth and is not counted again.
    const last = rows[rows.length - 1];
    const after = last ? { name: last.name, id: last.id } : undefined;
    void api.searchCustomers({ query: debouncedQuery, ...filters, ...drilled.criteria, offset: after ? 0 : rows.length, limit: PAGE, after }).then((r) => {
      loadingMore.current = false;
      if (seq !== searchSeq.current) return;
      const value = show(r);
      if (!value) return;
      setRows((prev) => [...prev, ...value.rows]);
      if (value.total !== null) setTotal(value.total);
    });
  }, [api, show, debouncedQuery, filters, drilled.criteria, rows]);

  const filterSelect = (key: keyof Filters, label: string, options: string[]) => (
    <Select
      allowClear
      showSearch
      aria-label={label}
      placeholder={label}
      value={filters[key]}
      onChange={(value: string | undefined) => setFilters((f) => ({ ...f, [key]: value ?? undefined }))}
      options={options.map((o) => ({ value: o, label: o }))}
      style={{ flex: 1, minWidth: 0 }}
      size="small"
    />
  );

  return (
    <div style={{ display: 'flex', height: '100%', minHeight: 0 }}>
      <section
        aria-label={t('customers.listLabel')}
        style={{ width: 360, flexShrink: 0, display: 'flex', flexDirection: 'column', background: '#fff', borderRight: '1px solid #e5e7eb' }}
      >
        <div style={{ padding: 10, display: 'flex', flexDirection: 'column', gap: 8, borderBottom: '1px solid #f0f0f0' }}>
          <Input
            allowClear
            prefix={<SearchOutlined aria-hidden />}
            placeholder={t('customers.searchPlaceholder')}
            aria-label={t('customers.searchLabel')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              // ↓ moves into the results (first row active) once they are this query's; Enter opens the
              // first result.
              if (e.key === 'ArrowDown' && rows.length && !loading) {
                e.preventDefault();
                listRef.current?.focus();
              } else if (e.key === 'Enter' && rows[0] && !loading) {
                e.preventDefault();
                setSelectedId(rows[0].id);
              }
            }}
            ref={searchRef}
            maxLength={200}
            type="search"
          />
          {drilled.label && (
            <div>
              <Tag
                color="blue"
                closable
                closeIcon={<span aria-label={t('customers.clearDrill')}>×</span>}
                onClose={() => setDrilled((d) => ({ seq: d.seq, criteria: {}, label: null }))}
                data-testid="drill-label"
              >
                {t('customers.drillLabel', { label: drilled.label })}
              </Tag>
            </div>
          )}
          <div style={{ display: 'flex', gap: 6 }}>
            {filterSelect('city', t('customers.cityFilter'), facets.cities)}
            {filterSelect('industry', t('customers.industryFilter'), facets.industries)}
            {filterSelect('tag', t('customers.tagFilter'), facets.tags)}
          </div>
          <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between' }}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} role="status" aria-live="polite" data-testid="customer-count">
              {loading ? t('common.loading') : t('customers.count', { count: total, formatted: formatNumber(total, locale) })}
            </Typography.Text>
            <Space size={4}>
              {can.exportCustomers && <ExportCustomersButton size="small" />}
              {can.createCustomer && (
                <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                  {t('customers.create')}
                </Button>
              )}
            </Space>
          </div>
        </div>
        <CustomerList
          key={searchKey}
          rows={rows}
          total={total}
          busy={loading}
          selectedId={selectedId}
          onOpen={setSelectedId}
          onNeedMore={loadMore}
          listRef={listRef}
          onLeave={() => searchRef.current?.focus()}
        />
      </section>
      <section style={{ flex: 1, minWidth: 0, overflow: 'auto' }} aria-live="polite">
        {selectedId ? (
          <CustomerDetailPanel key={selectedId} customerId={selectedId} onAccess={setCustomerAccess} />
        ) : (
          <div className="sv-center">
            <Empty description={<span>{t('customers.selectHint')}<br /><span className="sv-muted" style={{ fontSize: 12 }}>{t('customers.selectHintKeys')}</span></span>} />
          </div>
        )}
      </section>
      {can.createCustomer && (
        <CreateCustomerForm
          open={creating}
          access={customerAccess}
          onClose={() => setCreating(false)}
          onCreated={(id) => setSelectedId(id)}
        />
      )}
    </div>
  );
}

function CreateCustomerForm({
  open,
  access,
  onClose,
  onCreated,
}: {
  open: boolean;
  access: FieldAccess | null;
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const show = useResult();
  const fieldAccess = access ?? defaultCustomerAccess(state.user);
  return (
    <RecordForm
      formName="customer-create"
      open={open}
      title={t('forms.createCustomer')}
      entity="customer"
      access={fieldAccess}
      initial={null}
      defaults={{ type: 'company' }}
      onClose={onClose}
      onSubmit={async (fields) => {
        const created = show(await api.createCustomer(fields as { name: string; type: 'company' | 'person' }));
        if (created) onCreated(created.id);
        return !!created;
      }}
    />
  );
}

/**
 * Before any customer was opened the exact field access is unknown: derive it with the
 * permission engine from the user's clearances and the shipped classification. The core
 * re-checks against the server's classification when saving.
 */
function defaultCustomerAccess(user: SessionUser | null): FieldAccess {
  if (!user) return { readable: [], writable: [] };
  return {
    readable: readableFields('customer', user.readClearance, DEFAULT_CLASSIFICATION),
    writable: writableFields('customer', user.writeClearance, DEFAULT_CLASSIFICATION, user.readClearance),
  };
}
