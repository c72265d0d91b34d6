import { expect, type Locator } from '@playwright/test';
import { buttonName, fill } from './messages';
import type { Ui } from './ui';

/** IT admin: changes that widen access, waiting for a second administrator; and the role matrix that asks for them. */
export class ApprovalsPage {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.admin.approvals.title });
  }
  /** The row of the request whose "what changes" sentence is `text`. */
  row(text: string): Locator {
    return this.ui.page.getByRole('row').filter({ hasText: text });
  }
  ownRequestTag(row: Locator): Locator {
    return row.getByText(this.ui.m.admin.approvals.ownRequest, { exact: true });
  }
  approveButton(row: Locator): Locator {
    return row.getByRole('button', { name: buttonName(this.ui.m.admin.approvals.approve) });
  }
  /** "Approve" → confirm in the popover. */
  async approve(row: Locator): Promise<void> {
    await this.approveButton(row).click();
    const confirm = this.ui.page.getByRole('tooltip').filter({ hasText: this.ui.m.admin.approvals.approveConfirm });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: buttonName(this.ui.m.admin.approvals.approve) }).click();
  }
  /** The sentence for "role X: read clearance → level". */
  roleClearanceText(roleName: string, levelLabel: string): string {
    const change = fill(this.ui.m.admin.approvals.what.readClearance, { level: levelLabel });
    return fill(this.ui.m.admin.approvals.what.roleUpdate, { role: roleName, changes: change });
  }

  // ---- the role matrix (roles page)
  get rolesHeading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.admin.roles.title });
  }
  /** Sets a role's read clearance in the matrix and saves. */
  async setReadClearance(roleName: string, levelLabel: string): Promise<void> {
    const select = this.ui.page.getByRole('combobox', { name: `${roleName}: ${this.ui.m.admin.roles.readClearance}` });
    await select.click();
    await this.ui.page.locator('.ant-select-dropdown:visible').getByTitle(levelLabel, { exact: true }).click();
    await this.ui.page.getByRole('button', { name: buttonName(this.ui.m.admin.roles.save) }).click();
  }
  get sentForApproval(): Locator {
    return this.ui.page.getByText(this.ui.m.admin.approvals.sentForApproval);
  }
}
