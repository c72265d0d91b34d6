import { expect, type Locator } from '@playwright/test';
import { buttonName } from './messages';
import type { Ui } from './ui';

/** Anomaly alerts: open/all filter, and acknowledge (with a note) for IT admins. */
export class AlertsPage {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.alerts.title });
  }
  /** Alert rows of one rule for one user (the user column reads "name (username)"). */
  rowsOf(rule: keyof Ui['m']['alerts']['rules'], username: string): Locator {
    return this.ui.page.getByRole('row').filter({ hasText: this.ui.m.alerts.rules[rule] }).filter({ hasText: `(${username})` });
  }
  async refresh(): Promise<void> {
    await this.ui.page.getByRole('button', { name: this.ui.m.common.refresh }).click();
  }
  async show(which: 'open' | 'all'): Promise<void> {
    const group = this.ui.page.getByRole('radiogroup', { name: this.ui.m.alerts.show });
    await group.getByText(which === 'open' ? this.ui.m.alerts.showOpen : this.ui.m.alerts.showAll, { exact: true }).click();
  }

  /** Acknowledge the one alert in `row`, with a note, through the confirmation dialog. */
  async acknowledge(row: Locator, note: string): Promise<void> {
    await expect(row).toHaveCount(1);
    await row.getByRole('button', { name: new RegExp(`^${this.ui.m.alerts.acknowledgeAria.split('{{')[0]}`) }).click();
    const dialog = this.ui.page.getByRole('dialog', { name: this.ui.m.alerts.acknowledgeTitle });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel(this.ui.m.alerts.note).fill(note);
    await dialog.getByRole('button', { name: buttonName(this.ui.m.alerts.acknowledge) }).click();
    await expect(dialog).toBeHidden();
  }
}
