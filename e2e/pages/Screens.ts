import type { Locator } from '@playwright/test';
import type { Ui } from './ui';

/** Full-window screens outside the shell: first sync, locked, revoked, wiped. */
export class Screens {
  constructor(private readonly ui: Ui) {}

  get firstSync(): Locator {
    return this.ui.page.getByRole('heading', { name: this.ui.m.firstSync.title });
  }
  get revoked(): Locator {
    return this.ui.page.getByRole('heading', { name: this.ui.m.revoked.title });
  }
  get locked(): Locator {
    return this.ui.page.getByRole('heading', { name: this.ui.m.locked.title });
  }
}
