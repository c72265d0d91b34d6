// Opportunities on this device: the list (also the pipeline board's columns and the dashboard's
// drill-downs), its saved views, and the team dashboard. Reads only: moving a deal to another
// stage is an opportunity update (customer-handlers.ts → LocalEdits → outbox), re-authorized by
// the server when pushed.

import type { AppController } from '../session/controller';
import type { HandlerGroup } from './types';

type OpportunityMethod = 'listOpportunities' | 'listOpportunityViews' | 'saveOpportunityView' | 'deleteOpportunityView' | 'teamDashboard';

export function opportunityHandlers(app: AppController): HandlerGroup<OpportunityMethod> {
  const reader = () => {
    const u = app.requireUnlocked();
    app.requireAction(u.grant, 'opportunity.read');
    return u;
  };
  return {
    listOpportunities: async (input) => reader().vault.listOpportunities(input),
    listOpportunityViews: async () => reader().vault.listOpportunityViews(),
    saveOpportunityView: async (input) => reader().vault.saveOpportunityView(input),
    deleteOpportunityView: async (input) => reader().vault.deleteOpportunityView(input.id),

    teamDashboard: async (input) => {
      const u = app.requireUnlocked();
      app.requireAction(u.grant, 'dashboard.team');
      return u.vault.teamDashboard(u.now, input ?? {});
    },
  };
}
