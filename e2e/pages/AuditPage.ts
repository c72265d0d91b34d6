import { expect, type Locator } from '@playwright/test';
import { buttonName, templatePattern } from './messages';
import type { Ui } from './ui';

/** The server's audit trail: filter by action, hash-chain verification. */
export class AuditPage {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.audit.title });
  }
  get actionFilter(): Locator {
    return this.ui.page.getByLabel(this.ui.m.audit.action, { exact: true });
  }
  rows(text: string): Locator {
    return this.ui.page.getByRole('row').filter({ hasText: text });
  }

  async filterByAction(action: string): Promise<void> {
    await this.actionFilter.fill(action);
    await this.ui.page.getByRole('button', { name: buttonName(this.ui.m.audit.apply) }).click();
  }

  async verifyChain(): Promise<void> {
    await this.ui.page.getByRole('button', { name: buttonName(this.ui.m.audit.verify) }).click();
    await expect(this.ui.page.getByText(templatePattern(this.ui.m.audit.verifyOk))).toBeVisible();
  }
}
