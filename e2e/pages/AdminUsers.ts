import { expect, type Locator } from '@playwright/test';
import { buttonName, templatePattern } from './messages';
import type { Ui } from './ui';

/** The IT admin's users page: search, a user's row and lock tag, the help-desk actions. */
export class AdminUsers {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.admin.users.title });
  }
  get search(): Locator {
    return this.ui.page.getByPlaceholder(this.ui.m.admin.users.searchPlaceholder, { exact: true });
  }
  rowOf(username: string): Locator {
    return this.ui.page.getByRole('row').filter({ hasText: username });
  }
  lockTag(username: string): Locator {
    return this.rowOf(username).getByText(templatePattern(this.ui.m.admin.users.lockedUntil));
  }

  async find(username: string): Promise<void> {
    await this.search.fill(username);
    await expect(this.rowOf(username)).toHaveCount(1);
  }

  /** Runs one help-desk action on the user (menu, then the confirmation). */
  async helpDesk(username: string, action: 'unlock' | 'resetMfa' | 'signOutEverywhere' | 'revokeDevices'): Promise<void> {
    const actions = this.ui.m.admin.users.actions;
    await this.rowOf(username).getByRole('button', { name: new RegExp(`^${actions.more}`) }).click();
    await this.ui.page.getByRole('menuitem', { name: actions[action] }).click();
    const dialog = this.ui.page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: buttonName(actions[action]) });
    // A click that lands while the confirmation is still zooming in can be lost on a loaded
    // machine (the dialog then stays open, untouched): click again while it stays open. Every
    // help-desk action is idempotent on the server.
    await expect(async () => {
      if (await confirm.isVisible()) await confirm.click({ timeout: 2_000 });
      await expect(dialog).toBeHidden({ timeout: 3_000 });
    }).toPass({ timeout: 30_000 });
  }
}
