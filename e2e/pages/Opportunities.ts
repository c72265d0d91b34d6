import type { Locator } from '@playwright/test';
import { buttonName } from './messages';
import type { Ui } from './ui';

/** The opportunities list: filters, count, a table row per deal (keyed by its id). */
export class OpportunityListPage {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.nav.opportunities });
  }
  get count(): Locator {
    return this.ui.page.getByTestId('opportunity-count');
  }
  /** "From the team dashboard: …" — the drill-down that opened the list. */
  get drillLabel(): Locator {
    return this.ui.page.getByTestId('opportunities-view').getByTestId('drill-label');
  }
  get rows(): Locator {
    return this.ui.page.getByTestId('opportunities-view').locator('.ant-table-tbody tr[data-row-key]');
  }
  /** The ids of the rows shown (this page of the list). */
  async rowIds(): Promise<string[]> {
    return this.rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-row-key') ?? ''));
  }
  /** The total the list states (digit grouping removed). */
  async total(): Promise<number> {
    const text = (await this.count.textContent()) ?? '';
    const match = /[\d,]+/.exec(text);
    if (!match) throw new Error(`no count in "${text}"`);
    return Number(match[0].replace(/,/g, ''));
  }
  /** The stage path of a row (its accessible name says the current stage). */
  stagePath(id: string): Locator {
    return this.rows.and(this.ui.page.locator(`[data-row-key="${id}"]`)).locator('.sv-path');
  }

  /** Saves the current filters and sort as a named view (kept in this device's vault). */
  async saveView(name: string): Promise<void> {
    await this.ui.page.getByRole('button', { name: buttonName(this.ui.m.opportunities.saveView) }).click();
    const input = this.ui.page.getByRole('textbox', { name: this.ui.m.opportunities.viewName });
    await input.fill(name);
    await input.press('Enter');
  }
  async chooseView(name: string): Promise<void> {
    await this.ui.page.getByRole('combobox', { name: this.ui.m.opportunities.views }).click();
    // antd keeps its role=option elements visually hidden; the visible option carries the label as its title.
    await this.ui.page.getByTitle(name, { exact: true }).click();
  }
  async clearFilters(): Promise<void> {
    await this.ui.page.getByRole('button', { name: buttonName(this.ui.m.opportunities.clearFilters) }).click();
  }
}
