import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { collectChanges, fromFormValue, toFormValue } from './form-values';
import { FIELD_SPECS } from './field-specs';

const spec = (entity: keyof typeof FIELD_SPECS, name: string) => FIELD_SPECS[entity].find((s) => s.name === name)!;
const allCustomer = FIELD_SPECS.customer.map((s) => s.name);

describe('form values', () => {
  it('converts control values to what the API schemas expect', () => {
    expect(fromFormValue(spec('contact', 'phone'), '  ')).toBeNull();
    expect(fromFormValue(spec('customer', 'industry'), '  ')).toBe('');
    expect(fromFormValue(spec('customer', 'name'), '  杭州东达 ')).toBe('杭州东达');
    expect(fromFormValue(spec('customer', 'creditLimit'), undefined)).toBeNull();
    expect(fromFormValue(spec('opportunity', 'probability'), 40)).toBe(40);
    expect(fromFormValue(spec('customer', 'tags'), [' 重点客户 ', ''])).toEqual(['重点客户']);
    expect(fromFormValue(spec('opportunity', 'expectedCloseDate'), dayjs('2026-12-31'))).toBe('2026-12-31');
    expect(toFormValue(spec('opportunity', 'expectedCloseDate'), '2026-12-31')).toSatisfy((d: unknown) => dayjs.isDayjs(d));
  });

  it('sends only changed, writable fields on edit', () => {
    const initial = { name: '杭州东达', city: '杭州', creditLimit: 100000, tags: ['华东'], notes: '' };
    const values = { name: '杭州东达', city: '苏州', creditLimit: 200000, tags: ['华东'], notes: '' };
    const access = { readable: allCustomer, writable: allCustomer.filter((f) => f !== 'creditLimit') };
    // creditLimit changed but is not writable: it stays out; unchanged fields stay out.
    expect(collectChanges('customer', access, values, initial)).toEqual({ city: '苏州' });
  });

  it('sends filled writable fields on create', () => {
    const access = { readable: allCustomer, writable: ['name', 'type', 'city', 'tags', 'taxId'] };
    const values = { name: ' 新客户 ', type: 'company', city: '', tags: [], taxId: '  ', notes: 'hidden' };
    expect(collectChanges('customer', access, values, null)).toEqual({ name: '新客户', type: 'company' });
  });
});
