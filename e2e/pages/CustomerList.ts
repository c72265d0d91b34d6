import { expect, type Locator } from '@playwright/test';
import { templatePattern } from './messages';
import type { Ui } from './ui';

/** The rep's customer list: instant search, filters, the virtualised listbox and its count. */
export class CustomerList {
  constructor(private readonly ui: Ui) {}

  get search(): Locator {
    return this.ui.page.getByRole('searchbox', { name: this.ui.m.customers.searchLabel });
  }
  get list(): Locator {
    return this.ui.page.getByRole('listbox', { name: this.ui.m.customers.listLabel });
  }
  get rows(): Locator {
    return this.list.getByRole('option');
  }
  /** "共 N 个客户" — the live count of the current search. */
  get count(): Locator {
    return this.ui.page.getByRole('status').filter({ hasText: templatePattern(this.ui.m.customers.count) });
  }
  row(name: string): Locator {
    return this.rows.filter({ has: this.ui.page.getByText(name, { exact: true }) });
  }

  /** The total the list reports for the current search (waits for it to settle). */
  async total(): Promise<number> {
    await expect(this.count).toBeVisible();
    const text = (await this.count.textContent()) ?? '';
    const match = templatePattern(this.ui.m.customers.count).exec(text.trim());
    if (!match) throw new Error(`unexpected customer count text: ${text}`);
    return Number(match[1]!.replace(/[^\d]/g, ''));
  }

  /** Names of the rows in the DOM (the list is virtualised: only rows near the viewport). */
  async names(): Promise<string[]> {
    const texts = await this.rows.allInnerTexts();
    // A row reads "name [pending]\nmeta": the first line up to a pending marker is the name.
    return texts.map((t) => (t.split('\n')[0] ?? '').replace(this.ui.m.customers.pending, '').trim());
  }

  /** Types a search and waits for its answer: until then the rows on screen are the previous search's. */
  async searchFor(query: string): Promise<void> {
    await this.search.fill(query);
    await expect(this.search).toHaveValue(query);
    await expect(this.count).toBeVisible();
  }

  async open(name: string): Promise<void> {
    await this.row(name).first().click();
  }
}
