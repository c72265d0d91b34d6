import { ClockCircleOutlined, DeleteOutlined, SaveOutlined } from '@ant-design/icons';
import { App as AntApp, Button, DatePicker, Input, InputNumber, Popover, Select, Space, Table, Tag, Typography } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OpportunityFilter, OpportunityListItem, OpportunityPage, OpportunityView } from '../../../shared/api/desktop-api';
import type { OpportunitySort } from '../../../shared/api/opportunities';
import { OPPORTUNITY_STAGES } from '../../../shared/domain/model';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { useDrill, useNavigate } from '../../app/navigation';
import { formatAmount, formatCount, formatDate, formatNumber } from '../../lib/format';
import { StagePath } from './StagePath';
import { filterProblem, newViewId } from './view-filter';

const PAGE_SIZE = 50;

interface ListState {
  filter: OpportunityFilter;
  sort: OpportunitySort;
  order: 'asc' | 'desc';
  page: number;
}

const INITIAL: ListState = { filter: {}, sort: 'closeDate', order: 'asc', page: 1 };

/**
 * Every opportunity on this device: filters (stage, owner, close date range, amount), sorting by
 * any column, pages of 50 read from the vault (offline), saved views kept in the vault. A
 * dashboard figure opens this list with its own filter (the shell hands it over as a drill-down).
 */
export function OpportunitiesView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const navigate = useNavigate();
  const drill = useDrill('opportunities');
  const { message } = AntApp.useApp();
  const [list, setList] = useState<ListState>(() => (drill ? { ...INITIAL, filter: drill.filter, sort: drill.sort ?? 'closeDate', order: drill.order ?? 'asc' } : INITIAL));
  const [drillLabel, setDrillLabel] = useState<string | null>(drill?.label ?? null);
  const [data, setData] = useState<OpportunityPage | null>(null);
  const [owners, setOwners] = useState<{ id: string; name: string }[]>([]);
  const [views, setViews] = useState<OpportunityView[]>([]);
  const [viewId, setViewId] = useState<string | null>(null);
  const [naming, setNaming] = useState(false);
  const [viewName, setViewName] = useState('');

  // A new drill-down while the list is open (another click on the dashboard) replaces the filter.
  const [drillSeq, setDrillSeq] = useState(drill?.seq ?? 0);
  if (drill && drill.seq !== drillSeq) {
    setDrillSeq(drill.seq);
    setList({ ...INITIAL, filter: drill.filter, sort: drill.sort ?? 'closeDate', order: drill.order ?? 'asc' });
    setDrillLabel(drill.label);
    setViewId(null);
  }

  const problem = filterProblem(list.filter);
  const requestKey = JSON.stringify(list);
  useEffect(() => {
    if (problem) return;
    let live = true;
    void api
      .listOpportunities({ ...list.filter, sort: list.sort, order: list.order, offset: (list.page - 1) * PAGE_SIZE, limit: PAGE_SIZE })
      .then((r) => {
        if (!live) return;
        const value = show(r);
        if (value) setData(value);
      });
    return () => {
      live = false;
    };
    // requestKey stands for `list`; the data version reloads after a sync or a local edit.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, show, requestKey, problem, state.dataVersion]);

  useEffect(() => {
    void api.listFacets().then((r) => {
      if (r.ok) setOwners(r.value.owners);
    });
  }, [api, state.dataVersion]);

  useEffect(() => {
    void api.listOpportunityViews().then((r) => {
      if (r.ok) setViews(r.value);
    });
  }, [api]);

  const setFilter = (patch: Partial<OpportunityFilter>) => {
    setList((l) => {
      const filter: OpportunityFilter = { ...l.filter, ...patch };
      for (const key of Object.keys(filter) as (keyof OpportunityFilter)[]) {
        const v = filter[key];
        if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) delete filter[key];
      }
      return { ...l, filter, page: 1 };
    });
    setDrillLabel(null);
    setViewId(null);
  };

  async function saveView() {
    const name = viewName.trim();
    if (!name) return;
    const view: OpportunityView = { id: views.find((v) => v.name.toLowerCase() === name.toLowerCase())?.id ?? newViewId(), name, filter: list.filter, sort: list.sort, order: list.order };
    const saved = show(await api.saveOpportunityView(view));
    if (!saved) return;
    setViews(saved);
    setViewId(view.id);
    setNaming(false);
    setViewName('');
    void message.success(t('opportunities.viewSaved', { name }));
  }

  async function deleteView() {
    const view = views.find((v) => v.id === viewId);
    if (!view) return;
    const left = show(await api.deleteOpportunityView({ id: view.id }));
    if (!left) return;
    setViews(left);
    setViewId(null);
    void message.success(t('opportunities.viewDeleted', { name: view.name }));
  }

  const sortOrder = (key: OpportunitySort): SortOrder => (list.sort === key ? (list.order === 'asc' ? 'ascend' : 'descend') : null);
  const f = list.filter;

  return (
    <div className="sv-page" data-testid="opportunities-view">
      <div className="sv-page-title">
        <h1>{t('nav.opportunities')}</h1>
        <Space wrap>
          <Select
            size="small"
            style={{ width: 200 }}
            aria-label={t('opportunities.views')}
            placeholder={views.length ? t('opportunities.views') : t('opportunities.noViews')}
            value={viewId ?? undefined}
            onChange={(id: string) => {
              const view = views.find((v) => v.id === id);
              if (!view) return;
              setList({ filter: view.filter, sort: view.sort, order: view.order, page: 1 });
              setViewId(id);
              setDrillLabel(null);
            }}
            options={views.map((v) => ({ value: v.id, label: v.name }))}
          />
          {viewId && (
            <Button size="small" icon={<DeleteOutlined />} onClick={() => void deleteView()}>
              {t('opportunities.deleteView')}
            </Button>
          )}
          <Popover
            open={naming}
            onOpenChange={setNaming}
            trigger="click"
            content={
              <Space.Compact>
                <Input
                  size="small"
                  autoFocus
                  maxLength={60}
                  aria-label={t('opportunities.viewName')}
                  placeholder={t('opportunities.viewNamePlaceholder')}
                  value={viewName}
                  onChange={(e) => setViewName(e.target.value)}
                  onPressEnter={() => void saveView()}
                />
                <Button size="small" type="primary" disabled={!viewName.trim()} onClick={() => void saveView()}>
                  {t('common.save')}
                </Button>
              </Space.Compact>
            }
          >
            <Button size="small" icon={<SaveOutlined />}>
              {t('opportunities.saveView')}
            </Button>
          </Popover>
        </Space>
      </div>

      <div className="sv-panel" style={{ padding: 10, marginBottom: 10, display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
        <Select
          mode="multiple"
          allowClear
          size="small"
          style={{ minWidth: 200 }}
          aria-label={t('opportunities.stageFilter')}
          placeholder={t('opportunities.stageFilter')}
          value={f.stages ?? []}
          onChange={(stages) => setFilter({ stages })}
          options={OPPORTUNITY_STAGES.map((s) => ({ value: s, label: t(`stages.${s}`) }))}
          maxTagCount="responsive"
        />
        <Select
          mode="multiple"
          allowClear
          showSearch
          optionFilterProp="label"
          size="small"
          style={{ minWidth: 180 }}
          aria-label={t('opportunities.ownerFilter')}
          placeholder={t('opportunities.ownerFilter')}
          value={f.ownerIds ?? []}
          onChange={(ownerIds) => setFilter({ ownerIds })}
          options={owners.map((o) => ({ value: o.id, label: o.name }))}
          maxTagCount="responsive"
        />
        <DatePicker
          size="small"
          aria-label={t('opportunities.closeFrom')}
          placeholder={t('opportunities.closeFrom')}
          value={f.closeFrom ? dayjs(f.closeFrom) : null}
          onChange={(d) => setFilter({ closeFrom: d ? d.format('YYYY-MM-DD') : undefined })}
        />
        <DatePicker
          size="small"
          aria-label={t('opportunities.closeTo')}
          placeholder={t('opportunities.closeTo')}
          value={f.closeTo ? dayjs(f.closeTo) : null}
          onChange={(d) => setFilter({ closeTo: d ? d.format('YYYY-MM-DD') : undefined })}
        />
        <InputNumber
          size="small"
          min={0}
          style={{ width: 120 }}
          aria-label={t('opportunities.amountMin')}
          placeholder={t('opportunities.amountMin')}
          value={f.amountMin ?? null}
          onChange={(v) => setFilter({ amountMin: v ?? undefined })}
        />
        <InputNumber
          size="small"
          min={0}
          style={{ width: 120 }}
          aria-label={t('opportunities.amountMax')}
          placeholder={t('opportunities.amountMax')}
          value={f.amountMax ?? null}
          onChange={(v) => setFilter({ amountMax: v ?? undefined })}
        />
        <Button size="small" type="link" onClick={() => setFilter({ stages: undefined, ownerIds: undefined, closeFrom: undefined, closeTo: undefined, amountMin: undefined, amountMax: undefined, customerId: undefined })}>
          {t('opportunities.clearFilters')}
        </Button>
        {drillLabel && (
          <Tag color="blue" closable onClose={() => setDrillLabel(null)} data-testid="drill-label">
            {t('opportunities.drilledFrom', { label: drillLabel })}
          </Tag>
        )}
      </div>

      {problem ? (
        <Typography.Text type="danger" role="alert">
          {t(`opportunities.${problem}`)}
        </Typography.Text>
      ) : (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} role="status" aria-live="polite" data-testid="opportunity-count">
          {data ? t('opportunities.count', { formatted: formatCount(data.total, locale), amount: formatAmount(data.amountTotal, locale) }) : t('common.loading')}
        </Typography.Text>
      )}

      <Table<OpportunityListItem>
        style={{ marginTop: 8 }}
        size="small"
        rowKey="id"
        aria-label={t('opportunities.listLabel')}
        dataSource={problem ? [] : (data?.rows ?? [])}
        loading={!data && !problem}
        locale={{ emptyText: t('opportunities.empty') }}
        pagination={{ current: list.page, pageSize: PAGE_SIZE, total: data?.total ?? 0, showSizeChanger: false, size: 'small', hideOnSinglePage: true }}
        onChange={(pagination, _filters, sorter) => {
          const s = Array.isArray(sorter) ? sorter[0] : sorter;
          const key = (s?.order ? (s.columnKey as OpportunitySort) : null) ?? 'closeDate';
          setList((l) => ({ ...l, page: pagination.current ?? 1, sort: key, order: s?.order === 'descend' ? 'desc' : 'asc' }));
        }}
        onRow={(row) => ({
          onDoubleClick: () => navigate({ view: 'customers', drill: { customerId: row.customerId } }),
        })}
        columns={[
          {
            key: 'title',
            title: t('fields.opportunity.title'),
            sorter: true,
            sortOrder: sortOrder('title'),
            render: (_, row) => (
              <Space size={4}>
                <span>{row.title ?? '—'}</span>
                {row.pending && <Tag color="orange" icon={<ClockCircleOutlined />} data-testid="pending-marker">{t('customers.pending')}</Tag>}
              </Space>
            ),
          },
          {
            key: 'customer',
            title: t('opportunities.customer'),
            sorter: true,
            sortOrder: sortOrder('customer'),
            render: (_, row) => (
              <button
                type="button"
                className="sv-link-button"
                aria-label={t('opportunities.openCustomer', { name: row.customerName ?? '' })}
                onClick={() => navigate({ view: 'customers', drill: { customerId: row.customerId } })}
              >
                {row.customerName ?? '—'}
              </button>
            ),
          },
          { key: 'stage', title: t('fields.opportunity.stage'), sorter: true, sortOrder: sortOrder('stage'), width: 190, render: (_, row) => <StagePath stage={row.stage} compact /> },
          {
            key: 'amount',
            title: t('fields.opportunity.amount'),
            sorter: true,
            sortOrder: sortOrder('amount'),
            align: 'right',
            width: 110,
            render: (_, row) => <span title={row.amount === null ? undefined : formatNumber(row.amount, locale)}>{formatAmount(row.amount, locale)}</span>,
          },
          { key: 'closeDate', title: t('fields.opportunity.expectedCloseDate'), sorter: true, sortOrder: sortOrder('closeDate'), width: 130, render: (_, row) => formatDate(row.expectedCloseDate, locale) },
          { key: 'probability', title: t('fields.opportunity.probability'), sorter: true, sortOrder: sortOrder('probability'), align: 'right', width: 100, render: (_, row) => (row.probability === null ? '—' : `${row.probability}%`) },
          { key: 'owner', title: t('fields.opportunity.owner'), sorter: true, sortOrder: sortOrder('owner'), width: 110, render: (_, row) => row.ownerName ?? '—' },
        ]}
      />
    </div>
  );
}
