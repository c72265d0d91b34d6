import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { EntityType } from '../../../shared/domain/model';
import { ENTITY_FIELDS, OPPORTUNITY_STAGES } from '../../../shared/domain/model';
import { CITIES, INDUSTRIES, type ListEntry } from '../../../shared/domain/places';

// How each editable field of each entity is entered and shown. Which fields appear and which
// are writable is never decided here: that comes from FieldAccess (computed by the core with
// the permission engine).

export type FieldKind = 'text' | 'textarea' | 'select' | 'money' | 'percent' | 'date' | 'tags' | 'email' | 'list';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  required?: boolean;
  /** For selects: option values, labelled through `optionKey`. */
  options?: readonly string[];
  optionKey?: 'customerType' | 'stages';
  /** For lists: the fixed list offered, with "other" and free text (shared/domain/places.ts). */
  list?: readonly ListEntry[];
  /** Stored as null when left empty. */
  nullable?: boolean;
  max?: number;
}

export const FIELD_SPECS: Record<Exclude<EntityType, 'activity'>, FieldSpec[]> = {
  customer: [
    { name: 'name', kind: 'text', required: true, max: 200 },
    { name: 'type', kind: 'select', required: true, options: ['company', 'person'], optionKey: 'customerType' },
    { name: 'industry', kind: 'list', list: INDUSTRIES, max: 200 },
    { name: 'city', kind: 'list', list: CITIES, max: 200 },
    { name: 'address', kind: 'text', max: 500 },
    { name: 'tags', kind: 'tags' },
    { name: 'creditLimit', kind: 'money', nullable: true },
    { name: 'paymentTerms', kind: 'text', nullable: true, max: 200 },
    { name: 'taxId', kind: 'text', nullable: true, max: 40 },
    { name: 'notes', kind: 'textarea', max: 10_000 },
  ],
  contact: [
    { name: 'name', kind: 'text', required: true, max: 200 },
    { name: 'title', kind: 'text', max: 200 },
    { name: 'phone', kind: 'text', nullable: true, max: 40 },
    { name: 'email', kind: 'email', nullable: true, max: 200 },
    { name: 'wechat', kind: 'text', nullable: true, max: 80 },
  ],
  opportunity: [
    { name: 'title', kind: 'text', required: true, max: 200 },
    { name: 'stage', kind: 'select', required: true, options: OPPORTUNITY_STAGES, optionKey: 'stages' },
    { name: 'amount', kind: 'money', nullable: true },
    { name: 'expectedCloseDate', kind: 'date' },
    { name: 'probability', kind: 'percent' },
  ],
};

// Keep the specs in step with the domain model: every classifiable field has a spec.
for (const entity of ['customer', 'contact', 'opportunity'] as const) {
  const specNames = FIELD_SPECS[entity].map((s) => s.name);
  for (const field of ENTITY_FIELDS[entity]) {
    if (!specNames.includes(field)) throw new Error(`field-specs: ${entity}.${field} has no spec`);
  }
}

/** The localized label of an entity's field (falls back to the raw name). */
export function useFieldLabel(): (entity: EntityType, field: string) => string {
  const { t, i18n } = useTranslation();
  return useCallback(
    (entity: EntityType, field: string) => {
      const key = `fields.${entity}.${field}`;
      return i18n.exists(key) ? (t as (k: string) => string)(key) : field;
    },
    [t, i18n],
  );
}
