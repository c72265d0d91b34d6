import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { EntityType } from '../../../shared/domain/model';
import { useLocale } from '../../app/context';
import { displayValue, formatCny, formatDate, formatDateTime } from '../../lib/format';

/** Fields holding a moment (epoch ms) and fields holding an amount of money. */
const MOMENT_FIELDS = new Set(['at', 'dueAt', 'doneAt', 'reminderAt']);
const MONEY_FIELDS = new Set(['amount', 'creditLimit']);
/** Fields whose values are codes named in the user's language, and the i18n group that names them. */
const CODE_GROUPS: Record<string, string> = { stage: 'stages', type: 'customerType', kind: 'activityKinds' };

/**
 * A field's value as the outbox and the sync issues show it: codes (stage, type, activity kind)
 * in the user's language, amounts in CNY, moments and dates in the locale's format.
 */
export function useChangeValue(): (entity: EntityType, field: string, value: unknown) => string {
  const { t, i18n } = useTranslation();
  const locale = useLocale();
  return useCallback(
    (_entity: EntityType, field: string, value: unknown) => {
      if (value === null || value === undefined || value === '') return '—';
      const group = CODE_GROUPS[field];
      if (group && typeof value === 'string') {
        const key = `${group}.${value}`;
        return i18n.exists(key) ? (t as (k: string) => string)(key) : value;
      }
      if (MOMENT_FIELDS.has(field) && typeof value === 'number') return formatDateTime(value, locale);
      if (field === 'expectedCloseDate' && typeof value === 'string') return formatDate(value, locale);
      if (MONEY_FIELDS.has(field) && typeof value === 'number') return formatCny(value, locale);
      if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 80)}…` : value;
      return displayValue(value);
    },
    [t, i18n, locale],
  );
}
