import { ReloadOutlined, WarningOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Progress, Row, Skeleton, Space, Statistic, Table, Tooltip as AntTooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TeamDashboard } from '../../../shared/api/desktop-api';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { capabilitiesOf } from '../../lib/capabilities';
import { formatCny, formatCnyCompact, formatDate, formatDateTime, formatNumber, formatPercent } from '../../lib/format';
import { ExportCustomersButton } from '../customers/ExportCustomersButton';

const CHART_HEIGHT = 240;

/** The manager's / director's team dashboard, computed by the core from the local vault. */
export function TeamDashboardView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const can = capabilitiesOf(state.user);
  const [data, setData] = useState<TeamDashboard | null>(null);

  const load = useCallback(
    () =>
      api.teamDashboard().then((r) => {
        const value = show(r);
        if (value) setData(value);
      }),
    [api, show],
  );

  useEffect(() => {
    void load();
  }, [load, state.dataVersion]);

  if (!data) return <Skeleton active style={{ padding: 24 }} />;

  const stageData = data.pipelineByStage.map((s) => ({ ...s, label: t(`stages.${s.stage}`) }));
  const money = (v: number) => formatCny(v, locale);
  const compact = (v: number) => formatCnyCompact(v, locale);

  return (
    <div className="sv-page" data-testid="team-dashboard">
      <div className="sv-page-title">
        <Space orientation="vertical" size={0}>
          <h1>{t('dashboard.title')}</h1>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('dashboard.computedAt', { time: formatDateTime(data.computedAt, locale) })}
          </Typography.Text>
        </Space>
        <Space>
          {can.exportCustomers && <ExportCustomersButton />}
          <Button icon={<ReloadOutlined />} onClick={() => void load()}>
            {t('common.refresh')}
          </Button>
        </Space>
      </div>

      <Row gutter={[12, 12]}>
        <Col xs={24} md={8}>
          <Card size="small" title={t('dashboard.winRate')}>
            <Space size={16} align="center">
              <Progress type="circle" size={72} percent={data.winRate.rate === null ? 0 : Math.round(data.winRate.rate * 100)} format={() => formatPercent(data.winRate.rate, locale)} />
              <div>
                <div className="sv-kpi" data-testid="win-rate">{formatPercent(data.winRate.rate, locale)}</div>
                <Typography.Text type="secondary">{t('dashboard.winRateDetail', { won: data.winRate.won, lost: data.winRate.lost })}</Typography.Text>
              </div>
            </Space>
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card size="small" title={t('dashboard.overdue')} extra={<AntTooltip title={t('dashboard.overdueHelp')}><WarningOutlined aria-label={t('dashboard.overdueHelp')} /></AntTooltip>}>
            <Statistic value={data.overdue} valueStyle={{ color: data.overdue > 0 ? '#dc2626' : undefined, fontWeight: 600 }} formatter={(v) => formatNumber(Number(v), locale)} />
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card size="small" title={t('dashboard.openPipeline')}>
            <Statistic
              value={data.pipelineByStage.filter((s) => s.stage !== 'lost' && s.stage !== 'won').reduce((sum, s) => sum + s.amount, 0)}
              formatter={(v) => money(Number(v))}
              valueStyle={{ fontWeight: 600 }}
            />
          </Card>
        </Col>

        <Col xs={24} lg={12}>
          <Card size="small" title={t('dashboard.pipelineByStage')}>
            <figure aria-label={t('dashboard.pipelineByStage')} style={{ margin: 0 }} data-testid="chart-pipeline-stage">
              <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
                <BarChart title={t('dashboard.pipelineByStage')} data={stageData} margin={{ top: 8, right: 8, left: 8, bottom: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" tick={{ fontSize: 12 }} />
                  <YAxis tickFormatter={compact} tick={{ fontSize: 11 }} width={72} />
                  <Tooltip formatter={(v) => [money(Number(v)), t('dashboard.amount')]} />
                  <Bar dataKey="amount" name={t('dashboard.amount')} fill="#1f5fbf" radius={[3, 3, 0, 0]} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </figure>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('dashboard.pipelineByRep')}>
            <figure aria-label={t('dashboard.pipelineByRep')} style={{ margin: 0 }} data-testid="chart-pipeline-rep">
              {data.pipelineByRep.length ? (
                <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
                  <BarChart title={t('dashboard.pipelineByRep')} data={data.pipelineByRep} layout="vertical" margin={{ top: 8, right: 16, left: 8, bottom: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                    <XAxis type="number" tickFormatter={compact} tick={{ fontSize: 11 }} />
                    <YAxis type="category" dataKey="ownerName" tick={{ fontSize: 12 }} width={80} />
                    <Tooltip formatter={(v) => [money(Number(v)), t('dashboard.amount')]} />
                    <Bar dataKey="amount" name={t('dashboard.amount')} fill="#0ea5a4" radius={[0, 3, 3, 0]} isAnimationActive={false} />
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
                <LineChart title={t('dashboard.activitiesPerWeek')} data={data.activitiesPerWeek} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="weekStart" tickFormatter={(d: string) => formatDate(d, locale)} tick={{ fontSize: 11 }} />
                  <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
                  <Tooltip labelFormatter={(d) => formatDate(String(d), locale)} formatter={(v) => [formatNumber(Number(v), locale), t('dashboard.activities')]} />
                  <Line type="monotone" dataKey="count" name={t('dashboard.activities')} stroke="#7c3aed" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </figure>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card
            size="small"
            title={`${t('dashboard.notContacted')} (${formatNumber(data.notContacted30dTotal, locale)})`}
            extra={
              data.notContacted30dTotal > data.notContacted30d.length && (
                <span className="sv-muted" style={{ fontSize: 12 }}>{t('dashboard.notContactedShown', { shown: formatNumber(data.notContacted30d.length, locale) })}</span>
              )
            }
          >
            <Table
              size="small"
              rowKey="customerId"
              dataSource={data.notContacted30d}
              pagination={{ pageSize: 10, size: 'small', hideOnSinglePage: true, showSizeChanger: false }}
              locale={{ emptyText: t('dashboard.notContactedEmpty') }}
              columns={[
                { key: 'name', dataIndex: 'name', title: t('fields.customer.name') },
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
