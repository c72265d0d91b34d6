import { describe, expect, it } from 'vitest';
import { initI18n } from '../../i18n';
import { en } from '../../i18n/en';
import { zhCN } from '../../i18n/zh-CN';
import { refusalReason, rejectionCode } from './refusal';
import { filterProblem } from './view-filter';

describe('why the server refused a move', () => {
  it('reads the rejection code in front of any detail, and names unknown ones as they came', () => {
    expect(rejectionCode('no_action')).toBe('no_action');
    expect(rejectionCode('above_write_clearance: amount')).toBe('above_write_clearance');
    expect(rejectionCode('invalid_fields: stage: bad')).toBeNull();
    expect(rejectionCode(null)).toBeNull();
  });

  it('says it in the user’s language', () => {
    const i18n = initI18n('en');
    expect(refusalReason(i18n.t, { kind: 'rejected', reason: 'out_of_scope' })).toBe(en.pipeline.refused.out_of_scope);
    expect(refusalReason(i18n.t, { kind: 'conflict', reason: null })).toBe(en.pipeline.refused.conflict);
    expect(refusalReason(i18n.t, { kind: 'rejected', reason: 'mutation_id_in_use' })).toContain('mutation_id_in_use');
    initI18n('zh-CN');
    expect(refusalReason(i18n.t, { kind: 'rejected', reason: 'read_only_share' })).toBe(zhCN.pipeline.refused.read_only_share);
  });
});

describe('opportunity filter checks', () => {
  it('reports a reversed amount or date range instead of searching for nothing', () => {
    expect(filterProblem({ amountMin: 10, amountMax: 5 })).toBe('amountRangeInvalid');
    expect(filterProblem({ closeFrom: '2024-06-01', closeTo: '2024-05-01' })).toBe('dateRangeInvalid');
    expect(filterProblem({ amountMin: 5, amountMax: 5, closeFrom: '2024-05-01', closeTo: '2024-05-01' })).toBeNull();
  });
});
