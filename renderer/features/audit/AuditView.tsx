import { ReloadOutlined, SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Checkbox, DatePicker, Form, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import type { DesktopInput, DesktopOutputs } from '../../../shared/api/desktop-api';
import { AUDIT_ACTIONS, AUDIT_GROUPS, type AuditActionCode, type AuditGroup } from '../../../shared/audit/actions';
import type { AuditEntryView } from '../../../shared/protocol/routes';
import { useApi, useLocale, useResult } from '../../app/context';
import { ExportMenu } from '../../app/ExportMenu';
import { AUDIT_GROUP_TEXT, auditActionText, auditGroupText } from '../../i18n/audit-actions';
import { formatDateTime } from '../../lib/format';
import { actorLabel, entryDeviceLabel, targetLabel } from './audit-names';
import { AuditEntryDrawer, OUTCOME_COLORS, type AuditLinks } from './AuditEntryDrawer';
import { useIncidentNav } from './incident-nav';
import { IncidentView } from './IncidentView';

type AuditFilter = DesktopInput<'auditList'>;
const PAGE = 200;

interface FilterForm {
  person?: string;
  group?: AuditGroup;
  action?: string;
  recordId?: string;
  deviceId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
  showRoutine?: boolean;
}

function toFilter(v: FilterForm): AuditFilter {
  const filter: AuditFilter = { limit: PAGE };
  if (v.person?.trim()) filter.person = v.person.trim();
  if (v.group) filter.group = v.group;
  if (v.action?.trim()) filter.action = v.action.trim();
  if (v.recordId?.trim()) filter.recordId = v.recordId.trim();
  if (v.deviceId?.trim()) filter.deviceId = v.deviceId.trim();
  if (v.showRoutine) filter.routine = 'show';
  const [from, to] = v.range ?? [];
  if (from) filter.from = from.startOf('day').valueOf();
  if (to) filter.to = to.endOf('day').valueOf();
  return filter;
}

/**
 * The server's audit trail in words: names of people and devices (resolved by the server), actions
 * by group, filters (person, group, action, record, device, time; routine sync folded away unless
 * asked for), an entry's every field in a drawer, export (CSV/JSON) and hash-chain verification.
 */
export function AuditView() {
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const show = useResult();
  const [form] = Form.useForm<FilterForm>();
  const [filter, setFilter] = useState<AuditFilter>({ limit: PAGE });
  const [entries, setEntries] = useState<AuditEntryView[]>([]);
  const [loading, setLoading] = useState(true);
  const [hasMore, setHasMore] = useState(false);
  const [open, setOpen] = useState<AuditEntryView | null>(null);
  // The incident view of a person or device (opened from an entry here, or from the users or
  // devices page); the trail below keeps its filters meanwhile.
  const nav = useIncidentNav();
  const incident = nav?.current ?? null;
  const [verify, setVerify] = useState<DesktopOutputs['auditVerify'] | null>(null);
  const [verifying, setVerifying] = useState(false);
  const seq = useRef(0);

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

  const actionOptions = useMemo(
    () =>
      AUDIT_GROUPS.map((group) => ({
        label: AUDIT_GROUP_TEXT[group][locale],
        title: AUDIT_GROUP_TEXT[group][locale],
        options: (Object.keys(AUDIT_ACTIONS) as AuditActionCode[])
          .filter((code) => AUDIT_ACTIONS[code] === group)
          .map((code) => ({ value: code, label: auditActionText(code, locale), search: `${auditActionText(code, locale)} ${code}` })),
      })),
    [locale],
  );

  // The drawer's links: the trail of that person or device, everything else cleared.
  const links: AuditLinks = {
    person(person) {
      form.resetFields();
      form.setFieldsValue({ person: person.username });
      setOpen(null);
      search(toFilter(form.getFieldsValue()));
    },
    device(deviceId) {
      form.resetFields();
      form.setFieldsValue({ deviceId });
      setOpen(null);
      search(toFilter(form.getFieldsValue()));
    },
    incident(subject) {
      setOpen(null);
      nav?.open(subject);
    },
  };

  return (
    <>
    {incident && nav && <IncidentView subject={incident} onBack={nav.close} onOpen={nav.open} />}
    <div className="sv-page" style={incident ? { display: 'none' } : undefined}>
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
        <Form.Item name="person" label={t('audit.person')}>
          <Input style={{ width: 170 }} placeholder={t('audit.personPlaceholder')} allowClear maxLength={64} />
        </Form.Item>
        <Form.Item name="group" label={t('audit.group')}>
          <Select
            allowClear
            style={{ width: 130 }}
            placeholder={t('audit.allGroups')}
            options={AUDIT_GROUPS.map((g) => ({ value: g, label: AUDIT_GROUP_TEXT[g][locale] }))}
          />
        </Form.Item>
        <Form.Item name="action" label={t('audit.action')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'search' }}
            style={{ width: 220 }}
            placeholder={t('audit.actionPlaceholder')}
            options={actionOptions}
          />
        </Form.Item>
        <Form.Item name="recordId" label={t('audit.recordId')}>
          <Input style={{ width: 150 }} allowClear maxLength={128} />
        </Form.Item>
        <Form.Item name="deviceId" label={t('audit.deviceId')}>
          <Input style={{ width: 150 }} allowClear maxLength={64} />
        </Form.Item>
        <Form.Item name="range" label={t('audit.timeRange')}>
          <DatePicker.RangePicker allowEmpty={[true, true]} />
        </Form.Item>
        <Form.Item name="showRoutine" valuePropName="checked">
          <Checkbox>{t('audit.showRoutine')}</Checkbox>
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
        onRow={(e) => ({
          onClick: () => setOpen(e),
          style: { cursor: 'pointer' },
          'data-target': e.target ?? undefined,
          'data-action': e.action,
        }) as HTMLAttributes<HTMLElement>}
        columns={[
          { key: 'at', title: t('audit.time'), width: 150, render: (_, e) => formatDateTime(e.at, locale) },
          { key: 'actor', title: t('audit.actor'), render: (_, e) => actorLabel(e) ?? t('audit.system') },
          {
            key: 'action',
            title: t('audit.action'),
            render: (_, e) => (
              <Space size={4}>
                <span>{auditActionText(e.action, locale)}</span>
                {auditGroupText(e.action, locale) && <Tag bordered={false}>{auditGroupText(e.action, locale)}</Tag>}
                {e.routine && <Tag bordered={false}>{t('audit.routineTag')}</Tag>}
              </Space>
            ),
          },
          {
            key: 'target',
            title: t('audit.target'),
            width: 250,
            ellipsis: { showTitle: true },
            // an alert's entry names its rule rather than the alert's id
            render: (_, e) =>
              e.action.startsWith('alert.') && typeof e.details.rule === 'string'
                ? t(`alerts.rules.${e.details.rule}` as 'alerts.rules.new_device', { defaultValue: e.details.rule })
                : (targetLabel(e) ?? '—'),
          },
          { key: 'outcome', title: t('audit.outcome'), render: (_, e) => <Tag color={OUTCOME_COLORS[e.outcome]}>{t(`audit.outcomes.${e.outcome}`)}</Tag> },
          { key: 'device', title: t('audit.device'), width: 200, ellipsis: { showTitle: true }, render: (_, e) => <Typography.Text type="secondary">{entryDeviceLabel(e) ?? '—'}</Typography.Text> },
          {
            key: 'open',
            title: '',
            fixed: 'right',
            width: 72,
            render: (_, e) => (
              <Button size="small" type="link" onClick={(ev) => {
                  ev.stopPropagation();
                  setOpen(e);
                }}>
                {t('audit.open')}
              </Button>
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
      <AuditEntryDrawer entry={open} onClose={() => setOpen(null)} links={links} />
    </div>
    </>
  );
}
