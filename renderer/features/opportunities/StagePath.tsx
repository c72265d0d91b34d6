import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { OPEN_STAGES, isOpenStage } from '../../../shared/api/opportunities';
import type { OpportunityStage } from '../../../shared/domain/model';

/**
 * A deal's stage path: the open stages in order, those passed filled, the current one
 * highlighted; a won or lost deal shows its outcome apart from the path (the path is then
 * complete, or stops where nothing is known). The current stage is also said in words for
 * screen readers.
 */
export function StagePath({ stage, compact = false }: { stage: OpportunityStage | null; compact?: boolean }) {
  const { t } = useTranslation();
  const current = stage && isOpenStage(stage) ? OPEN_STAGES.indexOf(stage as (typeof OPEN_STAGES)[number]) : -1;
  const won = stage === 'won';
  const label = stage ? t('opportunities.stagePathLabel', { stage: t(`stages.${stage}`) }) : t('common.unknown');
  return (
    <span className={`sv-path${compact ? ' sv-path-compact' : ''}`} role="img" aria-label={label} data-stage={stage ?? ''}>
      {OPEN_STAGES.map((s, i) => {
        const state = won || i < current ? 'done' : i === current ? 'current' : 'todo';
        return (
          <span key={s} className={`sv-path-step sv-path-${state}`} title={t(`stages.${s}`)}>
            {compact ? '' : t(`stages.${s}`)}
          </span>
        );
      })}
      {compact && current >= 0 && <span className="sv-path-label">{t(`stages.${stage!}`)}</span>}
      {(stage === 'won' || stage === 'lost') && (
        <span className={`sv-path-outcome sv-path-${stage}`}>
          {stage === 'won' ? <CheckCircleFilled aria-hidden /> : <CloseCircleFilled aria-hidden />} {t(`stages.${stage}`)}
        </span>
      )}
    </span>
  );
}
