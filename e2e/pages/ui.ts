// The state every page object shares: the page and the language the UI is in right now (a
// language switch changes it for all of them at once).

import type { Page } from '@playwright/test';
import type { Locale } from '../../shared/api/desktop-api';
import { MESSAGES, type Messages } from './messages';

export class Ui {
  constructor(
    readonly page: Page,
    public locale: Locale = 'zh-CN',
  ) {}

  /** The message catalog of the current language. */
  get m(): Messages {
    return MESSAGES[this.locale];
  }
}
