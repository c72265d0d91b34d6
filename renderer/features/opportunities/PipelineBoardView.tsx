import { ClockCircleOutlined, LockOutlined, MoreOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Dropdown, Skeleton, Space, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, OpportunityListItem, OpportunityPage, SyncIssue } from '../../../shared/api/desktop-api';
import { CLOSED_STAGES, OPEN_STAGES } from '../../../shared/api/opportunities';
import { OPPORTUNITY_STAGES, type OpportunityStage } from '../../../shared/domain/model';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { useNavigate } from '../../app/navigation';
import { describeError } from '../../i18n';
import { capabilitiesOf } from '../../lib/capabilities';
import { formatAmount, formatCount, formatDate } from '../../lib/format';
import { refusalReason } from './refusal';

/** Cards loaded per open stage; the column says how many more there are and links to the list. */
const CARDS_PER_COLUMN = 100;

type Columns = Record<OpportunityStage, OpportunityPage>;

/**
 * What the board tells the user about the last move that did not happen: refused on this device
 * (an API error) or later by the server (a sync issue). Kept as data, so the text follows a
 * language switch.
 */
interface Refusal {
  title: string;
  to: OpportunityStage;
  back: OpportunityStage | null;
  why: { error: ApiError } | { issue: SyncIssue };
}

/**
 * The pipeline board: open stages as columns, won and lost as drop targets apart. A card moves by
 * drag and drop or by its "move to stage" menu (keyboard); the move is a local edit (written to
 * the vault and the outbox at once) that the server re-authorizes when it is pushed. A move the
 * device refuses, or the server refuses later, is explained above the board and the card is back
 * where the vault says it is.
 */
export function PipelineBoardView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const locale = useLocale();
  const show = useResult();
  const navigate = useNavigate();
  const can = capabilitiesOf(state.user);
  const [columns, setColumns] = useState<Columns | null>(null);
  const [dragging, setDragging] = useState<OpportunityListItem | null>(null);
  const [over, setOver] = useState<OpportunityStage | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [announce, setAnnounce] = useState('');
  /** Moves made here and not yet settled, by deal id: a later refusal names them. */
  const moves = useRef(new Map<string, { title: string; from: OpportunityStage | null; to: OpportunityStage }>());
  const seenIssues = useRef<Set<string> | null>(null);

  const load = useCallback(
    () =>
      Promise.all(
        OPPORTUNITY_STAGES.map((stage) =>
          api.listOpportunities({ stages: [stage], sort: 'closeDate', order: 'asc', limit: (OPEN_STAGES as readonly string[]).includes(stage) ? CARDS_PER_COLUMN : 1 }),
        ),
      ).then((pages) => {
        const next = {} as Columns;
        for (const [i, r] of pages.entries()) {
          const value = show(r);
          if (!value) return;
          next[OPPORTUNITY_STAGES[i]!] = value;
        }
        setColumns(next);
      }),
    [api, show],
  );

  useEffect(() => {
    void load();
  }, [load, state.dataVersion]);

  // A move the server refused arrives as a sync issue of that deal (the vault already put the
  // card back: the server's stage was stored when the push settled).
  useEffect(() => {
    void api.listIssues().then((r) => {
      if (!r.ok) return;
      if (seenIssues.current === null) {
        seenIssues.current = new Set(r.value.map((i) => i.id));
        return;
      }
      for (const issue of r.value) {
        if (seenIssues.current.has(issue.id)) continue;
        seenIssues.current.add(issue.id);
        const move = issue.entity === 'opportunity' ? moves.current.get(issue.recordId) : undefined;
        if (!move) continue;
        moves.current.delete(issue.recordId);
        setRefusal({ title: move.title, to: move.to, back: move.from, why: { issue } });
      }
    });
  }, [api, state.issueCount]);

  const titleOf = (item: OpportunityListItem) => item.title ?? t('common.unknown');

  async function move(item: OpportunityListItem, to: OpportunityStage) {
    if (item.stage === to) return;
    const title = titleOf(item);
    // Noted before the call: the background sync the edit starts may settle (and be refused)
    // before this call's answer arrives.
    moves.current.set(item.id, { title, from: item.stage, to });
    setRefusal(null);
    const r = await api.updateOpportunity({ id: item.id, fields: { stage: to } });
    if (!r.ok) {
      moves.current.delete(item.id);
      setRefusal({ title, to, back: item.stage, why: { error: r.error } });
      return;
    }
    setAnnounce(t('pipeline.moved', { title, stage: t(`stages.${to}`) }));
  }

  const movable = (item: OpportunityListItem) => can.updateOpportunity && item.writable;

  function dropProps(stage: OpportunityStage) {
    return {
      onDragOver: (e: DragEvent) => {
        if (!dragging || dragging.stage === stage) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        if (over !== stage) setOver(stage);
      },
      onDragLeave: (e: DragEvent) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver((o) => (o === stage ? null : o));
      },
      onDrop: (e: DragEvent) => {
        e.preventDefault();
        const item = dragging;
        setOver(null);
        setDragging(null);
        if (item) void move(item, stage);
      },
    };
  }

  if (!columns) return <Skeleton active style={{ padding: 24 }} />;

  const why = (refusal: Refusal): string => {
    if ('issue' in refusal.why) return refusalReason(t, refusal.why.issue);
    const text = describeError(refusal.why.error, locale);
    return `${text.title}${locale === 'en' ? '. ' : '。'}${text.action}`;
  };

  const card = (item: OpportunityListItem) => {
    const title = titleOf(item);
    const canMove = movable(item);
    return (
      <article
        key={item.id}
        className="sv-card"
        data-testid="pipeline-card"
        data-id={item.id}
        aria-label={title}
        draggable={canMove}
        onDragStart={(e) => {
          e.dataTransfer.setData('text/plain', item.id);
          e.dataTransfer.effectAllowed = 'move';
          setDragging(item);
        }}
        onDragEnd={() => {
          setDragging(null);
          setOver(null);
        }}
      >
        <div className="sv-card-title">
          <span title={title}>{title}</span>
          {canMove ? (
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { type: 'group', label: t('pipeline.moveTo'), children: OPPORTUNITY_STAGES.filter((s) => s !== item.stage).map((s) => ({ key: s, label: t(`stages.${s}`) })) },
                ],
                onClick: ({ key }) => void move(item, key as OpportunityStage),
              }}
            >
              <Button size="small" type="text" icon={<MoreOutlined />} aria-label={t('pipeline.moveMenu', { title })} />
            </Dropdown>
          ) : (
            <Tooltip title={t('pipeline.readOnly')}>
              <LockOutlined aria-label={t('pipeline.readOnly')} style={{ color: '#9ca3af', marginTop: 3 }} />
            </Tooltip>
          )}
        </div>
        <div className="sv-card-meta">
          <button type="button" className="sv-link-button" onClick={() => navigate({ view: 'customers', drill: { customerId: item.customerId } })}>
            {item.customerName ?? '—'}
          </button>
          <span title={item.amount === null ? undefined : String(item.amount)}>{formatAmount(item.amount, locale)}</span>
        </div>
        <div className="sv-card-meta">
          <span>{item.ownerName ?? '—'}</span>
          <span>{formatDate(item.expectedCloseDate, locale)}</span>
        </div>
        {item.pending && (
          <Tag color="orange" icon={<ClockCircleOutlined />} style={{ marginTop: 4 }} data-testid="pending-marker">
            {t('customers.pending')}
          </Tag>
        )}
      </article>
    );
  };

  const head = (stage: OpportunityStage) => (
    <div className="sv-board-col-head">
      <div className="sv-board-col-title">
        <span>{t(`stages.${stage}`)}</span>
        <span data-testid="column-count">{formatCount(columns[stage].total, locale)}</span>
      </div>
      <div className="sv-board-col-sum">{formatAmount(columns[stage].amountTotal, locale)}</div>
    </div>
  );

  const openList = (stage: OpportunityStage) =>
    navigate({ view: 'opportunities', filter: { stages: [stage] }, label: t(`stages.${stage}`) });

  return (
    <div className="sv-page" data-testid="pipeline-board" style={{ display: 'flex', flexDirection: 'column', height: '100%', boxSizing: 'border-box' }}>
      <div className="sv-page-title">
        <Space orientation="vertical" size={0}>
          <h1>{t('pipeline.title')}</h1>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {can.updateOpportunity ? t('pipeline.hint') : t('pipeline.hintReadOnly')}
          </Typography.Text>
        </Space>
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('common.refresh')}
        </Button>
      </div>
      <div role="status" aria-live="polite" className="sv-sr-only">{announce}</div>
      {refusal && (
        <Alert
          type="error"
          showIcon
          closable
          role="alert"
          data-testid="move-refused"
          style={{ marginBottom: 10 }}
          onClose={() => setRefusal(null)}
          title={t('pipeline.refusedTitle', { title: refusal.title, stage: t(`stages.${refusal.to}`) })}
          description={[why(refusal), refusal.back ? t('pipeline.cardBack', { stage: t(`stages.${refusal.back}`) }) : ''].join(locale === 'en' ? ' ' : '')}
        />
      )}
      <div className="sv-board" style={{ flex: 1 }}>
        {OPEN_STAGES.map((stage) => (
          <section key={stage} aria-label={t(`stages.${stage}`)} data-stage={stage} className={`sv-board-col${over === stage ? ' sv-drop-ok' : ''}`} {...dropProps(stage)}>
            {head(stage)}
            <div className="sv-board-cards">
              {columns[stage].rows.map(card)}
              {columns[stage].total > columns[stage].rows.length && (
                <Button size="small" type="link" onClick={() => openList(stage)}>
                  {t('pipeline.showAll', { count: columns[stage].total, formatted: formatCount(columns[stage].total, locale) })}
                </Button>
              )}
            </div>
          </section>
        ))}
        <div className="sv-closed" aria-label={t('pipeline.closed')}>
          {CLOSED_STAGES.map((stage) => (
            <section key={stage} aria-label={t(`stages.${stage}`)} data-stage={stage} className={`sv-board-col${over === stage ? ' sv-drop-ok' : ''}`} {...dropProps(stage)}>
              {head(stage)}
              <div className="sv-closed-zone">
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('pipeline.dropHere', { stage: t(`stages.${stage}`) })}
                </Typography.Text>
                <div>
                  <Button size="small" type="link" onClick={() => openList(stage)}>
                    {t('pipeline.openClosed', { stage: t(`stages.${stage}`) })}
                  </Button>
                </div>
              </div>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
