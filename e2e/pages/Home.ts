import { expect, type Locator } from '@playwright/test';
import { buttonName, fill } from './messages';
import type { Ui } from './ui';

/** The home page (follow-ups due today and overdue, reminders, recent customers) and the completion form. */
export class HomePage {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.home.title, exact: true });
  }
  get dueToday(): Locator {
    return this.ui.page.getByTestId('due-today');
  }
  get overdue(): Locator {
    return this.ui.page.getByTestId('overdue');
  }
  get upcoming(): Locator {
    return this.ui.page.getByTestId('upcoming');
  }
  get reminders(): Locator {
    return this.ui.page.getByTestId('reminders');
  }
  get recentCustomers(): Locator {
    return this.ui.page.getByTestId('recent-customers');
  }
  /** A follow-up in one of the lists, by its text. */
  item(list: Locator, text: string): Locator {
    return list.getByTestId('follow-up').filter({ hasText: text });
  }
  completeButton(text: string): Locator {
    return this.ui.page.getByRole('button', { name: fill(this.ui.m.followUps.completeAria, { text }), exact: true });
  }

  /** Changes a follow-up's text from the home page (the edit form, as when planning). */
  async editText(text: string, customerName: string, newText: string): Promise<void> {
    await this.ui.page.getByRole('button', { name: fill(this.ui.m.followUps.editAria, { text }), exact: true }).click();
    const dialog = this.ui.page.getByRole('dialog', { name: fill(this.ui.m.followUps.editTitle, { name: customerName }) });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel(this.ui.m.followUps.text, { exact: true }).fill(newText);
    await dialog.getByRole('button', { name: buttonName(this.ui.m.common.save) }).click();
    await expect(dialog).toBeHidden();
  }

  /** Completes a follow-up from the home page with its outcome as the activity's text. */
  async complete(text: string, customerName: string, outcome: string): Promise<void> {
    await this.completeButton(text).click();
    const dialog = this.ui.page.getByRole('dialog', { name: fill(this.ui.m.followUps.completeTitle, { name: customerName }) });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel(this.ui.m.followUps.outcome, { exact: true }).fill(outcome);
    await dialog.getByRole('button', { name: buttonName(this.ui.m.followUps.complete) }).click();
    await expect(dialog).toBeHidden();
  }
}
