import type { OpportunityFilter } from '../../../shared/api/desktop-api';

// Checks of the opportunities list's filter before it is sent, so a contradictory range is
// explained at the filter instead of answering "nothing found".

export type FilterProblem = 'amountRangeInvalid' | 'dateRangeInvalid';

export function filterProblem(filter: OpportunityFilter): FilterProblem | null {
  if (filter.amountMin !== undefined && filter.amountMax !== undefined && filter.amountMin > filter.amountMax) return 'amountRangeInvalid';
  if (filter.closeFrom && filter.closeTo && filter.closeFrom > filter.closeTo) return 'dateRangeInvalid';
  return null;
}

/** An id for a new saved view (letters and digits: the contract's id format). */
export function newViewId(): string {
  return `view-${crypto.randomUUID()}`;
}
