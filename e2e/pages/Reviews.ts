import { expect, type Download, type Locator } from '@playwright/test';
import { buttonName } from './messages';
import type { Ui } from './ui';

/** Access reviews: campaign list, create, campaign detail (certify/revoke), export. */
export class ReviewsPage {
  constructor(private readonly ui: Ui) {}

  get listHeading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.reviews.title });
  }
  /** The open campaign's title (its name). */
  campaignHeading(name: string): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name });
  }

  /** New campaign → name, due date and stale days as defaulted → create; the detail opens. */
  async create(name: string): Promise<void> {
    await this.ui.page.getByRole('button', { name: buttonName(this.ui.m.reviews.create) }).click();
    const dialog = this.ui.page.getByRole('dialog', { name: this.ui.m.reviews.createTitle });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel(this.ui.m.reviews.name, { exact: true }).fill(name);
    await expect(dialog.getByLabel(this.ui.m.reviews.staleDays)).toHaveValue('30');
    await dialog.getByRole('button', { name: buttonName(this.ui.m.common.create) }).click();
    await expect(dialog).toBeHidden();
    await expect(this.campaignHeading(name)).toBeVisible();
  }

  /** The item row of one reviewed account ("display name (username)"). */
  itemRow(username: string): Locator {
    return this.ui.page.getByRole('row').filter({ hasText: `(${username})` });
  }
  flagTag(row: Locator, flag: keyof Ui['m']['reviews']['flagNames']): Locator {
    return row.getByText(this.ui.m.reviews.flagNames[flag], { exact: true });
  }
  decisionTag(row: Locator, decision: keyof Ui['m']['reviews']['decisions']): Locator {
    return row.getByText(this.ui.m.reviews.decisions[decision], { exact: true });
  }

  /** Certify or revoke the account's item, confirming in the dialog (with a note). */
  async decide(username: string, decision: 'certify' | 'revoke', note: string): Promise<void> {
    const row = this.itemRow(username);
    await expect(row).toHaveCount(1);
    const aria = decision === 'certify' ? this.ui.m.reviews.certifyAria : this.ui.m.reviews.revokeAria;
    await row.getByRole('button', { name: new RegExp(`^${aria.split('{{')[0]}`) }).click();
    const label = decision === 'certify' ? this.ui.m.reviews.certify : this.ui.m.reviews.revoke;
    const dialog = this.ui.page.getByRole('dialog', { name: label });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel(this.ui.m.reviews.note).fill(note);
    await dialog.getByRole('button', { name: buttonName(label) }).click();
    await expect(dialog).toBeHidden();
  }

  /** Export → CSV/JSON from the menu; resolves with the browser download. */
  async export(format: 'csv' | 'json'): Promise<Download> {
    await this.ui.page.getByRole('button', { name: buttonName(this.ui.m.common.export) }).hover();
    const item = this.ui.page.getByRole('menuitem', { name: format === 'csv' ? this.ui.m.common.exportCsv : this.ui.m.common.exportJson });
    const download = this.ui.page.waitForEvent('download');
    await item.click();
    return download;
  }
}
