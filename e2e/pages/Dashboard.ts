import { expect, type Locator } from '@playwright/test';
import { OPEN_STAGES } from '../../shared/api/opportunities';
import type { OpportunityStage } from '../../shared/domain/model';
import { templatePattern } from './messages';
import type { Ui } from './ui';

/** The manager's / director's team dashboard. */
export class Dashboard {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.dashboard.title });
  }
  /** A chart by its caption (each chart is a labelled figure). */
  chart(name: 'pipelineByStage' | 'pipelineByRep' | 'activitiesPerWeek'): Locator {
    return this.ui.page.getByRole('figure', { name: this.ui.m.dashboard[name] });
  }
  /** "赢单 X / 输单 Y" under the win rate. */
  get winRateDetail(): Locator {
    return this.ui.page.getByText(templatePattern(this.ui.m.dashboard.winRateDetail));
  }

  async wonAndLost(): Promise<{ won: number; lost: number }> {
    await expect(this.winRateDetail).toBeVisible();
    const text = ((await this.winRateDetail.textContent()) ?? '').trim();
    const match = templatePattern(this.ui.m.dashboard.winRateDetail).exec(text);
    if (!match) throw new Error(`unexpected win-rate text: ${text}`);
    // Counts are digit-grouped (1,234).
    return { won: Number(match[1]!.replace(/,/g, '')), lost: Number(match[2]!.replace(/,/g, '')) };
  }

  get funnel(): Locator {
    return this.ui.page.getByRole('figure', { name: this.ui.m.dashboard.funnel });
  }
  /** A stage's bar in the funnel (a button that opens the deals at that stage). */
  funnelBar(stage: OpportunityStage): Locator {
    return this.funnel.locator(`button[data-stage="${stage}"]`);
  }
  /** The deals at a stage as the funnel states them. */
  async funnelCount(stage: OpportunityStage): Promise<number> {
    const text = (await this.funnelBar(stage).locator('strong').textContent()) ?? '';
    return Number(text.replace(/[^\d]/g, ''));
  }
  /** An open stage's bar in the "pipeline by stage" chart (drawn in stage order). */
  stageBar(stage: (typeof OPEN_STAGES)[number]): Locator {
    return this.chart('pipelineByStage').locator('.recharts-bar-rectangle').nth(OPEN_STAGES.indexOf(stage));
  }
}
