import dayjs, { type Dayjs } from 'dayjs';
import type { FieldAccess } from '../../../shared/api/desktop-api';
import { FIELD_SPECS, type FieldSpec } from './field-specs';

// Conversion between record values and form control values, and the payload of a save.
// Pure (no React) so it is unit-tested directly.

export type FormEntity = keyof typeof FIELD_SPECS;
export type FormValues = Record<string, unknown>;

/** Record value → form control value. */
export function toFormValue(spec: FieldSpec, value: unknown): unknown {
  if (spec.kind === 'date') return typeof value === 'string' && value ? dayjs(value, 'YYYY-MM-DD') : undefined;
  if (value === null) return undefined;
  return value;
}

/** Form control value → record value, as the desktop API's input schemas expect it. */
export function fromFormValue(spec: FieldSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'date':
      return value && dayjs.isDayjs(value) ? (value as Dayjs).format('YYYY-MM-DD') : undefined;
    case 'money':
    case 'percent':
      return typeof value === 'number' ? value : spec.nullable ? null : undefined;
    case 'tags':
      return Array.isArray(value) ? value.map((v) => String(v).trim()).filter(Boolean) : [];
    case 'select':
      return value ?? undefined;
    default: {
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '') return spec.nullable ? null : '';
      return text;
    }
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The fields to send: on create every writable field that has a value; on edit only the
 * writable fields that changed (the server merges per field, so unchanged ones stay out).
 */
export function collectChanges(
  entity: FormEntity,
  access: FieldAccess,
  values: FormValues,
  initial: FormValues | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of FIELD_SPECS[entity]) {
    if (!access.writable.includes(spec.name) || !(spec.name in values)) continue;
    const value = fromFormValue(spec, values[spec.name]);
    if (value === undefined) continue;
    if (initial) {
      if (!sameValue(value, initial[spec.name])) out[spec.name] = value;
    } else if (value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)) {
      out[spec.name] = value;
    }
  }
  return out;
}

