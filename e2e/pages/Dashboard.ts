import { expect, type Locator } from '@playwright/test';
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
    return { won: Number(match[1]), lost: Number(match[2]) };
  }
}
