import { expect, type Locator } from '@playwright/test';
import type { Locale } from '../../shared/api/desktop-api';
import { fill, templatePattern } from './messages';
import type { Ui } from './ui';

export type NavView = 'home' | 'customers' | 'opportunities' | 'pipeline' | 'dashboard' | 'recycleBin' | 'users' | 'roles' | 'org' | 'approvals' | 'identity' | 'devices' | 'audit' | 'alerts' | 'reviews';

/** The signed-in frame: navigation, sync status, outbox, offline banner, language, sign-out. */
export class AppShell {
  constructor(private readonly ui: Ui) {}

  get navigation(): Locator {
    return this.ui.page.getByRole('navigation', { name: this.ui.m.shell.mainNav });
  }
  navItem(view: NavView): Locator {
    return this.navigation.getByRole('menuitem', { name: this.ui.m.nav[view] });
  }
  async open(view: NavView): Promise<void> {
    await this.navItem(view).click();
  }

  /** The outbox badge button; its accessible name carries the count. */
  get outbox(): Locator {
    return this.ui.page.getByRole('button', { name: templatePattern(this.ui.m.shell.outboxCount) });
  }
  async expectOutboxCount(count: number, timeout?: number): Promise<void> {
    await expect(this.outbox).toHaveAccessibleName(fill(this.ui.m.shell.outboxCount, { count }), { timeout });
  }

  get offlineBanner(): Locator {
    return this.ui.page.getByText(this.ui.m.shell.offline, { exact: true });
  }
  /** "上次同步 …" / "同步中…" / "同步失败：…" — the live sync status in the header. */
  get syncStatus(): Locator {
    return this.ui.page.getByRole('banner').getByRole('status');
  }
  /** The fixed part of "last synced {{time}}". */
  get lastSyncedPrefix(): string {
    return this.ui.m.shell.lastSync.split('{{')[0]!.trim();
  }
  get syncNow(): Locator {
    return this.ui.page.getByRole('button', { name: this.ui.m.shell.syncNow });
  }
  get signOut(): Locator {
    return this.ui.page.getByRole('button', { name: this.ui.m.shell.signOut });
  }
  get language(): Locator {
    return this.ui.page.getByRole('combobox', { name: this.ui.m.shell.language });
  }

  /** Resolves once the shell is up (signed in, first sync done). */
  async expectReady(timeout = 60_000): Promise<void> {
    await expect(this.navigation).toBeVisible({ timeout });
  }

  /** Picks a language in the header switch; page objects follow the UI into it. */
  async switchLanguage(locale: Locale, optionLabel: string): Promise<void> {
    await this.language.click();
    // antd keeps its role=option elements visually hidden; the visible option carries the label
    // as its title.
    await this.ui.page.getByTitle(optionLabel, { exact: true }).click();
    // The option list fades out; wait until it is gone (screenshots, clicks beneath it).
    await expect(this.ui.page.locator('.ant-select-dropdown:visible')).toHaveCount(0);
    this.ui.locale = locale;
  }
}
