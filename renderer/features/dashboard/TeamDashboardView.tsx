import { InfoCircleOutlined, ReloadOutlined, WarningOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Row, Segmented, Select, Skeleton, Space, Table, Tooltip as AntTooltip, Typography } from 'antd';
import { useCallback, useEffect, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { OpportunityFilter, RollupRow, TeamDashboard, TeamDashboardFilter } from '../../../shared/api/desktop-api';
import { OPEN_STAGES } from '../../../shared/api/opportunities';
import type { OpportunityStage } from '../../../shared/domain/model';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { useNavigate, type CustomerDrill } from '../../app/navigation';
import { capabilitiesOf } from '../../lib/capabilities';
import { formatAmount, formatCount, formatDate, formatDateTime, formatNumber, formatPercent } from '../../lib/format';
import { ExportCustomersButton } from '../customers/ExportCustomersButton';
import { StageFunnel } from './StageFunnel';
import { PERIODS, periodRange, type Period } from './period';

const CHART_HEIGHT = 240;
const DAY_MS = 86_400_000;
/** Pipeline by rep: one labelled bar per rep, this tall; beyond the card's height the chart scrolls. */
const REP_BAR_HEIGHT = 26;
const REP_CHART_MAX = 360;

/** A card that opens the records behind it (click, Enter or Space). */
function DrillCard({ title, extra, label, onOpen, children }: { title: ReactNode; extra?: ReactNode; label: string; onOpen: () => void; children: ReactNode }) {
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    onOpen();
  };
  return (
    <Card size="small" title={title} extra={extra} hoverable className="sv-clickable" role="button" tabIndex={0} aria-label={label} onClick={onOpen} onKeyDown={onKeyDown}>
      {children}
    </Card>
  );
}

/**
 * The manager's / director's team dashboard, computed by the core from the local vault under a
 * period (expected close) and an owner filter. Every card, bar and row opens the records behind
 * it: the opportunities list under the same criteria, or the customer list.
 */
export function TeamDashboardView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const navigate = useNavigate();
  const can = capabilitiesOf(state.user);
  const [data, setData] = useState<TeamDashboard | null>(null);
  const [period, setPeriod] = useState<Period>('all');
  const [ownerIds, setOwnerIds] = useState<string[]>([]);
  const [unitId, setUnitId] = useState<string | undefined>(undefined);

  const load = useCallback(() => {
    const filter: TeamDashboardFilter = { ...periodRange(period, new Date()), ...(ownerIds.length ? { ownerIds } : {}), ...(unitId ? { unitId } : {}) };
    return api.teamDashboard(filter).then((r) => {
      const value = show(r);
      if (value) setData(value);
    });
  }, [api, show, period, ownerIds, unitId]);

  useEffect(() => {
    void load();
  }, [load, state.dataVersion]);

  if (!data) return <Skeleton active style={{ padding: 24 }} />;

  const f = data.filter;
  const nameOf = (id: string) => data.owners.find((o) => o.ownerId === id)?.ownerName ?? id;
  const unitName = (id: string) => data.units.find((u) => u.id === id)?.name ?? id;
  // With a team chosen, the owners are its members: name the team, not every member.
  const ownerName = f.unitId
    ? [unitName(f.unitId), ...(ownerIds.length ? [ownerIds.map(nameOf).join('、')] : [])].join(' · ')
    : f.ownerIds ? f.ownerIds.map(nameOf).join('、') : null;
  /** The dashboard's filter as list criteria; each figure adds its own. */
  const base: OpportunityFilter = {
    ...(f.closeFrom ? { closeFrom: f.closeFrom } : {}),
    ...(f.closeTo ? { closeTo: f.closeTo } : {}),
    ...(f.ownerIds ? { ownerIds: f.ownerIds } : {}),
  };
  const context = [f.closeFrom || f.closeTo ? t(`dashboard.periods.${period}`) : null, ownerName].filter(Boolean).join(' · ');
  const drillTo = (filter: OpportunityFilter, what: string, sort?: 'amount') =>
    navigate({ view: 'opportunities', filter: { ...base, ...filter }, label: context ? `${what} (${context})` : what, ...(sort ? { sort, order: 'desc' as const } : {}) });
  const drillStage = (stage: OpportunityStage) => drillTo({ stages: [stage] }, t('dashboard.drill.stage', { stage: t(`stages.${stage}`) }));
  const drillCustomers = (drill: CustomerDrill, label: string) => {
    if (f.ownerIds?.length === 0) return; // a team without members: nothing to show
    navigate({ view: 'customers', drill: { ...drill, ...(f.ownerIds ? { ownerIds: f.ownerIds } : {}) }, label: ownerName ? `${label} (${ownerName})` : label });
  };
  const branches = data.units.filter((u) => u.kind === 'branch');
  const teamsOf = (branchId: string) => data.units.filter((u) => u.kind === 'team' && u.parentId === branchId);
  const teamOptions = branches.map((b) => ({
    label: b.name,
    title: b.name,
    options: [{ value: b.id, label: t('dashboard.wholeBranch', { branch: b.name }) }, ...teamsOf(b.id).map((team) => ({ value: team.id, label: team.name }))],
  }));
  const rollupTeams = data.rollup.filter((r) => r.kind === 'team').length;
  const repChartHeight = Math.max(CHART_HEIGHT, data.pipelineByRep.length * REP_BAR_HEIGHT + 40);

  const openStages = data.pipelineByStage.filter((s) => (OPEN_STAGES as readonly string[]).includes(s.stage));
  const stageData = openStages.map((s) => ({ ...s, label: t(`stages.${s.stage}`) }));
  const openAmount = openStages.reduce((sum, s) => sum + s.amount, 0);
  const openCount = openStages.reduce((sum, s) => sum + s.count, 0);
  const money = (v: number) => formatAmount(v, locale);
  const overdueTo = f.closeTo && f.closeTo < data.overdueBefore ? f.closeTo : data.overdueBefore;
  const won = formatCount(data.winRate.won, locale);
  const lost = formatCount(data.winRate.lost, locale);

  return (
    <div className="sv-page" data-testid="team-dashboard">
      <div className="sv-page-title">
        <Space orientation="vertical" size={0}>
          <h1>{t('dashboard.title')}</h1>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('dashboard.computedAt', { time: formatDateTime(data.computedAt, locale) })}
          </Typography.Text>
        </Space>
        <Space wrap>
          <Segmented<Period>
            size="small"
            aria-label={t('dashboard.period')}
            value={period}
            onChange={setPeriod}
            options={PERIODS.map((p) => ({ value: p, label: t(`dashboard.periods.${p}`) }))}
          />
          {teamOptions.length > 0 && (
            <Select
              size="small"
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: 160 }}
              aria-label={t('dashboard.team')}
              placeholder={t('dashboard.allTeams')}
              value={unitId}
              onChange={(v?: string) => setUnitId(v)}
              options={teamOptions}
              data-testid="team-filter"
            />
          )}
          <Select
            size="small"
            mode="multiple"
            allowClear
            showSearch
            maxTagCount="responsive"
            optionFilterProp="label"
            style={{ width: 160 }}
            aria-label={t('dashboard.owner')}
            placeholder={t('dashboard.allOwners')}
            value={ownerIds}
            onChange={(v: string[]) => setOwnerIds(v)}
            options={data.owners.map((o) => ({ value: o.ownerId, label: o.ownerName }))}
          />
          {can.exportCustomers && <ExportCustomersButton />}
          <Button icon={<ReloadOutlined />} onClick={() => void load()}>
            {t('common.refresh')}
          </Button>
        </Space>
      </div>

      <Row gutter={[12, 12]}>
        <Col xs={24} md={8}>
          <DrillCard title={t('dashboard.winRate')} label={`${t('dashboard.winRate')} ${formatPercent(data.winRate.rate, locale)} — ${t('dashboard.openRecords')}`} onOpen={() => drillTo({ stages: ['won', 'lost'] }, t('dashboard.drill.wonLost'))}>
            <div className="sv-kpi" data-testid="win-rate">{formatPercent(data.winRate.rate, locale)}</div>
            <Typography.Text type="secondary">{t('dashboard.winRateDetail', { won, lost })}</Typography.Text>
          </DrillCard>
        </Col>
        <Col xs={24} md={8}>
          <DrillCard
            title={t('dashboard.overdue')}
            label={`${t('dashboard.overdue')} ${formatCount(data.overdue, locale)} — ${t('dashboard.openRecords')}`}
            extra={<AntTooltip title={t('dashboard.overdueHelp')}><WarningOutlined aria-label={t('dashboard.overdueHelp')} /></AntTooltip>}
            onOpen={() => drillTo({ stages: [...OPEN_STAGES], closeTo: overdueTo }, t('dashboard.drill.overdue'))}
          >
            <div className="sv-kpi" style={{ color: data.overdue > 0 ? '#dc2626' : undefined }} data-testid="overdue-count">{formatCount(data.overdue, locale)}</div>
            <Typography.Text type="secondary">{t('dashboard.overdueHelp')}</Typography.Text>
          </DrillCard>
        </Col>
        <Col xs={24} md={8}>
          <DrillCard title={t('dashboard.openPipeline')} label={`${t('dashboard.openPipeline')} ${money(openAmount)} — ${t('dashboard.openRecords')}`} onOpen={() => drillTo({ stages: [...OPEN_STAGES] }, t('dashboard.drill.open'), 'amount')}>
            <div className="sv-kpi" title={formatNumber(openAmount, locale)} data-testid="open-pipeline">{money(openAmount)}</div>
            <Typography.Text type="secondary">{t('dashboard.openCount', { formatted: formatCount(openCount, locale) })}</Typography.Text>
          </DrillCard>
        </Col>

        <Col xs={24} lg={12}>
          <Card size="small" title={t('dashboard.funnel')} extra={<AntTooltip title={t('dashboard.funnelHelp')}><InfoCircleOutlined aria-label={t('dashboard.funnelHelp')} /></AntTooltip>}>
            <StageFunnel funnel={data.funnel} lost={data.pipelineByStage.find((s) => s.stage === 'lost') ?? { count: 0, amount: 0 }} onOpen={drillStage} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('dashboard.pipelineByStage')}>
            <figure aria-label={t('dashboard.pipelineByStage')} style={{ margin: 0 }} data-testid="chart-pipeline-stage">
              <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
                <BarChart title={t('dashboard.pipelineByStage')} data={stageData} margin={{ top: 8, right: 8, left: 8, bottom: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" tick={{ fontSize: 12 }} />
                  <YAxis tickFormatter={money} tick={{ fontSize: 11 }} width={72} />
                  <Tooltip formatter={(v) => [money(Number(v)), t('dashboard.amount')]} />
                  <Bar
                    dataKey="amount"
                    name={t('dashboard.amount')}
                    fill="#1f5fbf"
                    radius={[3, 3, 0, 0]}
                    isAnimationActive={false}
                    style={{ cursor: 'pointer' }}
                    onClick={(_, index) => {
                      const stage = stageData[index]?.stage;
                      if (stage) drillStage(stage);
                    }}
                  />
                </BarChart>
              </ResponsiveContainer>
            </figure>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('dashboard.pipelineByRep')}>
            <figure aria-label={t('dashboard.pipelineByRep')} style={{ margin: 0, maxHeight: REP_CHART_MAX, overflowY: 'auto', scrollbarGutter: 'stable' }} data-testid="chart-pipeline-rep">
              {data.pipelineByRep.length ? (
                <ResponsiveContainer width="100%" height={repChartHeight}>
                  <BarChart title={t('dashboard.pipelineByRep')} data={data.pipelineByRep} layout="vertical" margin={{ top: 8, right: 16, left: 8, bottom: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                    <XAxis type="number" tickFormatter={money} tick={{ fontSize: 11 }} />
                    <YAxis type="category" dataKey="ownerName" tick={{ fontSize: 12 }} width={96} interval={0} />
                    <Tooltip formatter={(v) => [money(Number(v)), t('dashboard.amount')]} />
                    <Bar
                      dataKey="amount"
                      name={t('dashboard.amount')}
                      fill="#0ea5a4"
                      radius={[0, 3, 3, 0]}
                      isAnimationActive={false}
                      style={{ cursor: 'pointer' }}
                      onClick={(_, index) => {
                        const rep = data.pipelineByRep[index];
                        if (rep) drillTo({ ownerIds: [rep.ownerId], stages: [...OPEN_STAGES] }, t('dashboard.drill.rep', { owner: rep.ownerName }), 'amount');
                      }}
                    />
                  </BarChart>
                </ResponsiveContainer>
              ) : (
                <Empty description={t('dashboard.noData')} />
              )}
            </figure>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('dashboard.activitiesPerWeek')}>
            <figure aria-label={t('dashboard.activitiesPerWeek')} style={{ margin: 0 }} data-testid="chart-activities">
              <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
                <LineChart
                  title={t('dashboard.activitiesPerWeek')}
                  data={data.activitiesPerWeek}
                  margin={{ top: 8, right: 16, left: 0, bottom: 0 }}
                  style={{ cursor: 'pointer' }}
                  onClick={(chart) => {
                    const week = typeof chart.activeLabel === 'string' ? chart.activeLabel : null;
                    if (!week) return;
                    const from = Date.parse(`${week}T00:00:00Z`);
                    drillCustomers({ activityFrom: from, activityTo: from + 7 * DAY_MS }, t('dashboard.drill.week', { week: formatDate(week, locale) }));
                  }}
                >
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="weekStart" tickFormatter={(d: string) => formatDate(d, locale)} tick={{ fontSize: 11 }} />
                  <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} tickFormatter={(v: number) => formatCount(v, locale)} />
                  <Tooltip labelFormatter={(d) => formatDate(String(d), locale)} formatter={(v) => [formatCount(Number(v), locale), t('dashboard.activities')]} />
                  <Line type="monotone" dataKey="count" name={t('dashboard.activities')} stroke="#7c3aed" strokeWidth={2} dot={{ r: 3 }} activeDot={{ r: 5 }} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </figure>
          </Card>
        </Col>
        {rollupTeams >= 2 && (
          <Col xs={24}>
            <RollupTable rows={data.rollup} filter={f} computedAt={data.computedAt} />
          </Col>
        )}
        <Col xs={24}>
          <Card
            size="small"
            title={
              <button type="button" className="sv-link-button" onClick={() => drillCustomers({ notContactedSince: data.computedAt - 30 * DAY_MS }, t('dashboard.drill.notContacted'))}>
                {`${t('dashboard.notContacted')} (${formatCount(data.notContacted30dTotal, locale)})`}
              </button>
            }
            extra={
              data.notContacted30dTotal > data.notContacted30d.length && (
                <span className="sv-muted" style={{ fontSize: 12 }}>{t('dashboard.notContactedShown', { shown: formatCount(data.notContacted30d.length, locale) })}</span>
              )
            }
          >
            <Table
              size="small"
              rowKey="customerId"
              dataSource={data.notContacted30d}
              pagination={{ pageSize: 5, size: 'small', hideOnSinglePage: true, showSizeChanger: false }}
              locale={{ emptyText: t('dashboard.notContactedEmpty') }}
              onRow={(row) => ({ className: 'sv-clickable', onClick: () => navigate({ view: 'customers', drill: { customerId: row.customerId } }) })}
              columns={[
                {
                  key: 'name',
                  dataIndex: 'name',
                  title: t('fields.customer.name'),
                  render: (name: string, row) => (
                    <button type="button" className="sv-link-button" onClick={(e) => { e.stopPropagation(); navigate({ view: 'customers', drill: { customerId: row.customerId } }); }}>
                      {name}
                    </button>
                  ),
                },
                {
                  key: 'last',
                  dataIndex: 'lastActivityAt',
                  title: t('dashboard.lastActivity'),
                  width: 160,
                  render: (v: number | null) => (v ? formatDate(v, locale) : t('common.never')),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

/**
 * The roll-up by branch and team (rows from the vault, dashboard.ts): each figure opens the
 * records behind it under the dashboard's period, for the row's people.
 */
function RollupTable({ rows, filter, computedAt }: { rows: RollupRow[]; filter: TeamDashboardFilter; computedAt: number }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigate = useNavigate();
  const period: OpportunityFilter = { ...(filter.closeFrom ? { closeFrom: filter.closeFrom } : {}), ...(filter.closeTo ? { closeTo: filter.closeTo } : {}) };
  const label = (r: RollupRow) => (r.kind === 'direct' ? t('dashboard.rollupDirect') : r.kind === 'other' ? t('dashboard.rollupOther') : r.name);
  const deals = (r: RollupRow, stages: OpportunityFilter['stages'], what: 'dashboard.drill.unitOpen' | 'dashboard.drill.unitWon' | 'dashboard.drill.unitWonLost', sort?: 'amount') =>
    navigate({ view: 'opportunities', filter: { ...period, ownerIds: r.ownerIds, stages }, label: t(what, { unit: label(r) }), ...(sort ? { sort, order: 'desc' as const } : {}) });
  const link = (r: RollupRow, text: string, open: () => void, testId: string) =>
    r.ownerIds.length ? (
      <button type="button" className="sv-link-button" onClick={open} data-testid={testId}>
        {text}
      </button>
    ) : (
      <span className="sv-muted">{text}</span>
    );
  return (
    <Card size="small" title={t('dashboard.rollup')} extra={<AntTooltip title={t('dashboard.rollupHelp')}><InfoCircleOutlined aria-label={t('dashboard.rollupHelp')} /></AntTooltip>}>
      <Table<RollupRow>
        size="small"
        data-testid="rollup"
        rowKey={(r) => `${r.kind}:${r.unitId ?? ''}`}
        dataSource={rows}
        pagination={false}
        rowClassName={(r) => (r.kind === 'branch' ? 'sv-rollup-branch' : '')}
        columns={[
          {
            key: 'unit',
            title: t('dashboard.rollupUnit'),
            render: (_, r) => (
              <span style={{ paddingLeft: r.kind === 'team' || r.kind === 'direct' ? 20 : 0, fontWeight: r.kind === 'branch' ? 600 : undefined }} data-testid="rollup-unit">
                {label(r)}
              </span>
            ),
          },
          {
            key: 'pipeline',
            title: t('dashboard.rollupPipeline'),
            align: 'right',
            render: (_, r) =>
              link(r, `${formatAmount(r.openAmount, locale)} · ${t('dashboard.rollupDeals', { formatted: formatCount(r.openCount, locale) })}`, () => deals(r, [...OPEN_STAGES], 'dashboard.drill.unitOpen', 'amount'), 'rollup-open'),
          },
          { key: 'won', title: t('dashboard.rollupWon'), align: 'right', render: (_, r) => link(r, formatCount(r.won, locale), () => deals(r, ['won'], 'dashboard.drill.unitWon'), 'rollup-won') },
          {
            key: 'rate',
            title: t('dashboard.rollupWinRate'),
            align: 'right',
            render: (_, r) => link(r, formatPercent(r.winRate, locale), () => deals(r, ['won', 'lost'], 'dashboard.drill.unitWonLost'), 'rollup-rate'),
          },
          {
            key: 'nc',
            title: t('dashboard.rollupNotContacted'),
            align: 'right',
            render: (_, r) =>
              link(r, formatCount(r.notContacted, locale), () => navigate({ view: 'customers', drill: { notContactedSince: computedAt - 30 * DAY_MS, ownerIds: r.ownerIds }, label: t('dashboard.drill.unitNotContacted', { unit: label(r) }) }), 'rollup-not-contacted'),
          },
        ]}
      />
    </Card>
  );
}
