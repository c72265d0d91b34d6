import { ReloadOutlined, SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, DatePicker, Form, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DesktopInput, DesktopOutputs } from '../../../shared/api/desktop-api';
import type { AuditEntryView } from '../../../shared/protocol/routes';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { capabilitiesOf } from '../../lib/capabilities';
import { formatDateTime } from '../../lib/format';
import { ExportMenu } from '../../app/ExportMenu';
import { useLoad } from '../../lib/use-load';
import { indexById } from '../admin/admin-data';

type AuditFilter = DesktopInput<'auditList'>;
const PAGE = 200;
const OUTCOME_COLORS = { ok: 'green', denied: 'orange', failed: 'red' } as const;

interface FilterForm {
  actorId?: string;
  action?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

function toFilter(v: FilterForm): AuditFilter {
  const filter: AuditFilter = { limit: PAGE };
  if (v.actorId?.trim()) filter.actorId = v.actorId.trim();
  if (v.action?.trim()) filter.action = v.action.trim();
  const [from, to] = v.range ?? [];
  if (from) filter.from = from.startOf('day').valueOf();
  if (to) filter.to = to.endOf('day').valueOf();
  return filter;
}

/** The server's audit trail: filters, paging, export (CSV/JSON) and hash-chain verification. */
export function AuditView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const can = capabilitiesOf(state.user);
  const [form] = Form.useForm<FilterForm>();
  const [filter, setFilter] = useState<AuditFilter>({ limit: PAGE });
  const [entries, setEntries] = useState<AuditEntryView[]>([]);
  const [loading, setLoading] = useState(true);
  const [hasMore, setHasMore] = useState(false);
  const [verify, setVerify] = useState<DesktopOutputs['auditVerify'] | null>(null);
  const [verifying, setVerifying] = useState(false);
  const seq = useRef(0);
  // Names instead of ids where the user may list users (the IT admin; not the auditor).
  const users = useLoad(`users:${can.listUsers}`, async () => (can.listUsers ? api.adminListUsers() : { ok: true as const, value: [] }));
  const userById = indexById(users.value);

  // Loads a page; state changes only once the answer is in (the newest request wins).
  const load = useCallback(
    (next: AuditFilter, append: boolean) => {
      const mine = ++seq.current;
      return api.auditList(next).then((r) => {
        if (mine !== seq.current) return;
        setLoading(false);
        const value = show(r);
        if (!value) return;
        setEntries((prev) => (append ? [...prev, ...value] : value));
        setHasMore(value.length >= Number(next.limit ?? PAGE));
      });
    },
    [api, show],
  );

  useEffect(() => {
    void load(filter, false);
  }, [filter, load]);

  function search(next: AuditFilter) {
    setLoading(true);
    setFilter(next);
  }

  async function runVerify() {
    setVerifying(true);
    const value = show(await api.auditVerify());
    setVerifying(false);
    if (value) setVerify(value);
  }


  const actorName = (id: string | null) => {
    if (!id) return '—';
    const u = userById.get(id);
    return u ? u.displayName : id;
  };

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <h1>{t('audit.title')}</h1>
        <Space>
          <Button icon={<SafetyCertificateOutlined />} loading={verifying} onClick={runVerify}>
            {t('audit.verify')}
          </Button>
          <ExportMenu run={(format) => {
            const { limit: _limit, ...rest } = filter;
            return api.auditExport({ format, filter: { ...rest, limit: 1000 } });
          }} />
        </Space>
      </div>

      {verify && (
        <Alert
          style={{ marginBottom: 12 }}
          showIcon
          closable
          onClose={() => setVerify(null)}
          type={verify.ok ? 'success' : 'error'}
          role="status"
          data-testid="audit-verify-result"
          title={verify.ok ? t('audit.verifyOk', { count: verify.checked }) : t('audit.verifyBroken', { seq: verify.firstBrokenSeq ?? '?', count: verify.checked })}
        />
      )}

      <Form form={form} name="audit-filter" layout="inline" className="sv-panel" style={{ padding: 10, marginBottom: 12, rowGap: 8 }} onFinish={(v) => search(toFilter(v))}>
        <Form.Item name="actorId" label={t('audit.actor')}>
          {can.listUsers ? (
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: 180 }}
              options={(users.value ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))}
            />
          ) : (
            <Input style={{ width: 180 }} allowClear />
          )}
        </Form.Item>
        <Form.Item name="action" label={t('audit.action')}>
          <Input style={{ width: 200 }} placeholder={t('audit.actionPlaceholder')} allowClear maxLength={64} />
        </Form.Item>
        <Form.Item name="range" label={t('audit.timeRange')}>
          <DatePicker.RangePicker allowEmpty={[true, true]} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
              {t('audit.apply')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                search({ limit: PAGE });
              }}
            >
              {t('audit.reset')}
            </Button>
            <Tooltip title={t('common.refresh')}>
              <Button icon={<ReloadOutlined />} aria-label={t('common.refresh')} onClick={() => {
                  setLoading(true);
                  void load(filter, false);
                }} />
            </Tooltip>
          </Space>
        </Form.Item>
      </Form>

      <Table<AuditEntryView>
        className="sv-panel"
        size="small"
        rowKey="seq"
        loading={loading}
        dataSource={entries}
        pagination={false}
        locale={{ emptyText: t('audit.empty') }}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'seq', title: t('audit.seq'), dataIndex: 'seq', width: 70 },
          { key: 'at', title: t('audit.time'), width: 170, render: (_, e) => formatDateTime(e.at, locale) },
          { key: 'actor', title: t('audit.actor'), render: (_, e) => actorName(e.actorId) },
          { key: 'action', title: t('audit.action'), render: (_, e) => <Typography.Text code>{e.action}</Typography.Text> },
          { key: 'target', title: t('audit.target'), render: (_, e) => e.target ?? '—' },
          { key: 'outcome', title: t('audit.outcome'), render: (_, e) => <Tag color={OUTCOME_COLORS[e.outcome]}>{t(`audit.outcomes.${e.outcome}`)}</Tag> },
          { key: 'device', title: t('audit.device'), render: (_, e) => (e.deviceId ? <Typography.Text type="secondary">{e.deviceId.slice(0, 10)}</Typography.Text> : '—') },
          {
            key: 'details',
            title: t('audit.details'),
            render: (_, e) => {
              const text = Object.keys(e.details).length ? JSON.stringify(e.details) : '—';
              return (
                <Typography.Text ellipsis={{ tooltip: text }} style={{ maxWidth: 280, fontSize: 12 }}>
                  {text}
                </Typography.Text>
              );
            },
          },
          {
            key: 'hash',
            title: t('audit.hash'),
            render: (_, e) => (
              <Tooltip title={e.hash}>
                <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 11 }}>{e.hash.slice(0, 12)}…</Typography.Text>
              </Tooltip>
            ),
          },
        ]}
        footer={
          hasMore
            ? () => (
                <Button
                  size="small"
                  onClick={() => {
                    const last = entries[entries.length - 1];
                    if (!last) return;
                    setLoading(true);
                    void load({ ...filter, beforeSeq: last.seq }, true);
                  }}
                >
                  {t('common.loadMore')}
                </Button>
              )
            : undefined
        }
      />
    </div>
  );
}
