import { Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ListEntry } from '../../../shared/domain/places';
import { useLocale } from '../../app/context';

const OTHER = '\u0000other';

export interface ListOrOtherProps {
  id?: string;
  value?: string;
  onChange?: (value: string) => void;
  disabled?: boolean;
  list: readonly ListEntry[];
  /** The field's label, for the free-text box's accessible name. */
  label: string;
}

/**
 * A value from a fixed list, or "other" with free text (a form control: value/onChange). A value
 * not on the list — typed before the list existed, or entered as "other" — shows as "other" with
 * its text, so nothing entered earlier is hidden or changed by opening the form.
 */
export function ListOrOther({ id, value, onChange, disabled, list, label }: ListOrOtherProps) {
  const { t } = useTranslation();
  const english = useLocale() === 'en';
  const text = value ?? '';
  const onList = list.some((e) => e.zh === text);
  // "Other" just chosen, nothing typed yet: the value is a single space (saved as empty, trimmed).
  const isOther = !onList && text !== '';
  const options = [
    ...list.map((e) => ({ value: e.zh, label: english ? `${e.en} (${e.zh})` : e.zh })),
    { value: OTHER, label: t('forms.other') },
  ];
  return (
    <div style={{ display: 'flex', gap: 8 }}>
      <Select
        id={id}
        showSearch={{ optionFilterProp: 'label' }}
        allowClear
        disabled={disabled}
        style={{ flex: isOther ? '0 0 40%' : 1, minWidth: 0 }}
        value={onList ? text : isOther ? OTHER : undefined}
        placeholder={t('forms.choose')}
        options={options}
        onChange={(v: string | undefined) => onChange?.(v === OTHER ? ' ' : (v ?? ''))}
      />
      {isOther && (
        <Input
          disabled={disabled}
          aria-label={t('forms.otherValue', { field: label })}
          placeholder={t('forms.otherPlaceholder')}
          value={text.trim() === '' ? '' : text}
          onChange={(e) => onChange?.(e.target.value === '' ? ' ' : e.target.value)}
          autoFocus={text === ' '}
        />
      )}
    </div>
  );
}
