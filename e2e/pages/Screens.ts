import type { Locator } from '@playwright/test';
import { buttonName } from './messages';
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
  /** The server refuses this app's version: the update-required screen. */
  get updateRequired(): Locator {
    return this.ui.page.getByRole('heading', { name: this.ui.m.updateRequired.title });
  }
  get checkForUpdates(): Locator {
    return this.ui.page.getByRole('button', { name: buttonName(this.ui.m.updateRequired.check) });
  }
  get checkInAgain(): Locator {
    return this.ui.page.getByRole('button', { name: buttonName(this.ui.m.updateRequired.checkIn) });
  }
  /** The updater's answer, e.g. "not available here" in the harness. */
  updaterStatus(title: string): Locator {
    return this.ui.page.getByRole('status').filter({ hasText: title });
  }
}
