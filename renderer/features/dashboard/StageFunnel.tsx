import { useTranslation } from 'react-i18next';
import type { FunnelStep } from '../../../shared/api/desktop-api';
import type { OpportunityStage } from '../../../shared/domain/model';
import { useLocale } from '../../app/context';
import { formatAmount, formatCount, formatPercent } from '../../lib/format';

/**
 * The stage funnel: open stages in order, then won; each bar is as long as the deals that reached
 * that stage, with the conversion to the next one between them. Lost deals stand apart below.
 * Every bar is a button that opens the deals now at that stage.
 */
export function StageFunnel({ funnel, lost, onOpen }: { funnel: FunnelStep[]; lost: { count: number; amount: number }; onOpen: (stage: OpportunityStage) => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const widest = Math.max(1, ...funnel.map((s) => s.reached));
  const row = (stage: OpportunityStage, count: number, amount: number, width: number, extra?: string) => (
    <button
      type="button"
      className={`sv-funnel-row${stage === 'won' ? ' sv-funnel-won' : ''}${stage === 'lost' ? ' sv-funnel-lost' : ''}`}
      data-stage={stage}
      aria-label={`${t(`stages.${stage}`)}: ${formatCount(count, locale)} · ${formatAmount(amount, locale)} — ${t('dashboard.openRecords')}`}
      onClick={() => onOpen(stage)}
    >
      <span>{t(`stages.${stage}`)}</span>
      <span className="sv-funnel-track">
        <span className="sv-funnel-bar" style={{ width: `${width}%`, display: 'block', background: stage === 'lost' ? '#dc2626' : undefined }} />
      </span>
      <span style={{ fontSize: 12 }}>
        <strong>{formatCount(count, locale)}</strong> · {formatAmount(amount, locale)}
        {extra && <span className="sv-muted"> · {extra}</span>}
      </span>
    </button>
  );
  return (
    <figure aria-label={t('dashboard.funnel')} style={{ margin: 0 }} data-testid="stage-funnel" className="sv-funnel">
      {funnel.map((step) => (
        <div key={step.stage}>
          {row(step.stage, step.count, step.amount, (step.reached / widest) * 100, t('dashboard.reached', { formatted: formatCount(step.reached, locale) }))}
          {step.conversion !== null && <div className="sv-funnel-conv">{t('dashboard.conversion', { rate: formatPercent(step.conversion, locale) })}</div>}
        </div>
      ))}
      <div className="sv-muted" style={{ fontSize: 12, marginTop: 6 }}>{t('dashboard.closedApart')}</div>
      {row('lost', lost.count, lost.amount, (lost.count / widest) * 100)}
    </figure>
  );
}
