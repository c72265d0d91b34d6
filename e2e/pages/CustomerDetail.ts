import { expect, type Locator } from '@playwright/test';
import { buttonName, fill, templatePattern } from './messages';
import type { Ui } from './ui';

/** The customer detail panel with its edit form and the quick "log a visit" form. */
export class CustomerDetail {
  constructor(private readonly ui: Ui) {}

  title(name?: string): Locator {
    return this.ui.page.getByRole('heading', { level: 1, ...(name ? { name, exact: true } : {}) });
  }
  get editButton(): Locator {
    return this.ui.page.getByRole('button', { name: buttonName(this.ui.m.detail.edit) });
  }
  /** "Log a visit", or "log a service note" for a user who may not edit the customer (customer service). */
  get logActivityButton(): Locator {
    const names = [this.ui.m.detail.logActivity, this.ui.m.detail.logServiceNote].map((l) => buttonName(l).source);
    return this.ui.page.getByRole('button', { name: new RegExp(names.join('|')) });
  }
  /** The "read-only" tag shown when the user may not change the master data. */
  get readOnlyTag(): Locator {
    return this.ui.page.getByText(this.ui.m.detail.readOnly, { exact: true });
  }
  get activitiesTab(): Locator {
    return this.ui.page.getByRole('tab', { name: templatePattern(this.ui.m.detail.activities) });
  }
  /** An activity in the activities tab, by its text. */
  activity(text: string): Locator {
    return this.ui.page.getByRole('tabpanel', { name: templatePattern(this.ui.m.detail.activities) }).getByText(text, { exact: true });
  }
  /** A shown customer field's value (test id: the description items have no accessible name). */
  fieldValue(field: string): Locator {
    return this.ui.page.locator(`[data-field="${field}"]`);
  }

  editDialog(customerName: string): Locator {
    return this.ui.page.getByRole('dialog', { name: fill(this.ui.m.forms.editCustomer, { name: customerName }) });
  }
  activityDialog(customerName: string): Locator {
    return this.ui.page.getByRole('dialog', { name: `${this.ui.m.forms.logActivity} · ${customerName}` });
  }

  /** Edits customer fields through the form: `{ notes: '…' }` by field name. */
  async editCustomer(customerName: string, fields: Record<string, string>): Promise<void> {
    await this.editButton.click();
    const dialog = this.editDialog(customerName);
    await expect(dialog).toBeVisible();
    for (const [field, value] of Object.entries(fields)) {
      const label = (this.ui.m.fields.customer as Record<string, string>)[field];
      if (!label) throw new Error(`no label for customer field ${field}`);
      await this.formControl(dialog, label).fill(value);
    }
    await dialog.getByRole('button', { name: buttonName(this.ui.m.common.save) }).click();
    await expect(dialog).toBeHidden();
  }

  /** A form control by its label (each form has its own name, so each label points at its own input). */
  formControl(scope: Locator, label: string): Locator {
    return scope.getByLabel(label, { exact: true });
  }

  /** Logs an activity (the form's default kind: a visit for a rep, a service note for service). */
  async logActivity(customerName: string, text: string): Promise<void> {
    await this.logActivityButton.click();
    const dialog = this.activityDialog(customerName);
    await expect(dialog).toBeVisible();
    await dialog.getByLabel(this.ui.m.forms.activityText).fill(text);
    await dialog.getByRole('button', { name: buttonName(this.ui.m.common.save) }).click();
    await expect(dialog).toBeHidden();
  }

  async showActivities(): Promise<void> {
    await this.activitiesTab.click();
  }

  get planFollowUpButton(): Locator {
    return this.ui.page.getByRole('button', { name: buttonName(this.ui.m.followUps.plan) });
  }

  /** Plans a follow-up from the activities tab: due at `dueAt` ("YYYY-MM-DD HH:mm", typed as a person would), the default kind and reminder. */
  async planFollowUp(customerName: string, fields: { dueAt: string; text: string }): Promise<void> {
    await this.showActivities();
    await this.planFollowUpButton.click();
    const dialog = this.ui.page.getByRole('dialog', { name: fill(this.ui.m.followUps.planTitle, { name: customerName }) });
    await expect(dialog).toBeVisible();
    const due = dialog.getByLabel(this.ui.m.followUps.dueAt, { exact: true });
    await due.click();
    await due.fill(fields.dueAt);
    await due.press('Enter');
    await expect(due).toHaveValue(fields.dueAt);
    await dialog.getByLabel(this.ui.m.followUps.text, { exact: true }).fill(fields.text);
    await dialog.getByRole('button', { name: buttonName(this.ui.m.common.save) }).click();
    await expect(dialog).toBeHidden();
  }
}
