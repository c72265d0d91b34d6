import { expect, type Locator } from '@playwright/test';
import { buttonName, templatePattern } from './messages';
import type { Ui } from './ui';

/** The server's audit trail: filters (person, category, action…), an entry's drawer, hash-chain verification. */
export class AuditPage {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.audit.title });
  }
  get actionFilter(): Locator {
    return this.ui.page.getByLabel(this.ui.m.audit.action, { exact: true });
  }
  get personFilter(): Locator {
    return this.ui.page.getByLabel(this.ui.m.audit.person, { exact: true });
  }
  get groupFilter(): Locator {
    return this.ui.page.getByLabel(this.ui.m.audit.group, { exact: true });
  }
  get showRoutine(): Locator {
    return this.ui.page.getByRole('checkbox', { name: this.ui.m.audit.showRoutine });
  }
  /** rows whose visible text contains `text` */
  rows(text: string): Locator {
    return this.ui.page.getByRole('row').filter({ hasText: text });
  }
  /** rows of entries whose raw target is `target` (a device id, a user id…) */
  rowsWithTarget(target: string): Locator {
    return this.ui.page.locator(`tr[data-target="${target}"]`);
  }
  /** rows of entries with this action code */
  rowsWithAction(code: string): Locator {
    return this.ui.page.locator(`tr[data-action="${code}"]`);
  }
  get drawer(): Locator {
    return this.ui.page.getByRole('dialog', { name: templatePattern(this.ui.m.audit.entryTitle) });
  }
  get drawerDetails(): Locator {
    return this.ui.page.getByTestId('audit-entry-details');
  }

  /** Runs the search with the filters as they are. */
  async apply(): Promise<void> {
    await this.ui.page.getByRole('button', { name: buttonName(this.ui.m.audit.apply) }).click();
  }

  /** Picks an action by its code (searching the list by code) and searches. */
  async filterByAction(code: string): Promise<void> {
    await this.actionFilter.click();
    await this.actionFilter.fill(code);
    await this.ui.page.locator('.ant-select-item-option:visible').first().click();
    await this.apply();
  }

  /** Types a person's name or username and searches. */
  async filterByPerson(text: string): Promise<void> {
    await this.personFilter.fill(text);
    await this.apply();
  }

  async filterByGroup(label: string): Promise<void> {
    await this.groupFilter.click();
    await this.ui.page.locator('.ant-select-item-option:visible').filter({ hasText: label }).first().click();
    await this.apply();
  }

  async openEntry(row: Locator): Promise<void> {
    await row.getByRole('button', { name: buttonName(this.ui.m.audit.open) }).click();
    await expect(this.ui.page.getByText(templatePattern(this.ui.m.audit.entryTitle))).toBeVisible();
  }

  async closeEntry(): Promise<void> {
    await this.ui.page.keyboard.press('Escape');
    await expect(this.ui.page.getByText(templatePattern(this.ui.m.audit.entryTitle))).toBeHidden();
  }

  async verifyChain(): Promise<void> {
    await this.ui.page.getByRole('button', { name: buttonName(this.ui.m.audit.verify) }).click();
    await expect(this.ui.page.getByText(templatePattern(this.ui.m.audit.verifyOk))).toBeVisible();
  }
}
