import { createContext, useContext } from 'react';
import type { OpportunityFilter, OpportunitySort } from '../../shared/api/opportunities';
import type { ViewKey } from '../lib/capabilities';

// Moving between screens with what to show there: a dashboard figure opens the records behind
// it (the opportunities list under that filter, or the customer list), the list opens a
// customer. The shell owns the current view and hands each screen its drill-down.

/** Customers selected by a dashboard figure (criteria the customer search understands). */
export interface CustomerDrill {
  ownerIds?: string[];
  notContactedSince?: number;
  activityFrom?: number;
  activityTo?: number;
  /** Open this customer's detail. */
  customerId?: string;
}

export type NavTarget =
  | { view: 'opportunities'; filter: OpportunityFilter; sort?: OpportunitySort; order?: 'asc' | 'desc'; label: string }
  | { view: 'customers'; drill: CustomerDrill; label?: string }
  | { view: Exclude<ViewKey, 'opportunities' | 'customers'> };

/** A navigation request as the shell keeps it: `seq` tells a repeated click from the last one. */
export type Drill = NavTarget & { seq: number };

export const NavigationContext = createContext<{ navigate: (target: NavTarget) => void; drill: Drill | null }>({
  navigate: () => undefined,
  drill: null,
});

export function useNavigate(): (target: NavTarget) => void {
  return useContext(NavigationContext).navigate;
}

/** The drill-down handed to `view`, if the last navigation went there. */
export function useDrill<V extends NavTarget['view']>(view: V): (Extract<NavTarget, { view: V }> & { seq: number }) | null {
  const drill = useContext(NavigationContext).drill;
  return drill && drill.view === view ? (drill as Extract<NavTarget, { view: V }> & { seq: number }) : null;
}
