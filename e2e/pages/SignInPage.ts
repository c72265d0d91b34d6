import { expect, type Locator } from '@playwright/test';
import { buttonName } from './messages';
import type { Ui } from './ui';

/** The sign-in screen: password step, then the TOTP step. */
export class SignInPage {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { name: this.ui.m.signIn.title, exact: true });
  }
  get serverUrl(): Locator {
    return this.ui.page.getByLabel(this.ui.m.signIn.serverUrl);
  }
  get username(): Locator {
    return this.ui.page.getByLabel(this.ui.m.signIn.username);
  }
  get password(): Locator {
    return this.ui.page.getByLabel(this.ui.m.signIn.password);
  }
  get submit(): Locator {
    return this.ui.page.getByRole('button', { name: buttonName(this.ui.m.signIn.submit) });
  }
  get mfaHeading(): Locator {
    return this.ui.page.getByRole('heading', { name: this.ui.m.signIn.mfaTitle });
  }
  get code(): Locator {
    return this.ui.page.getByLabel(this.ui.m.signIn.mfaCode);
  }
  get verify(): Locator {
    return this.ui.page.getByRole('button', { name: buttonName(this.ui.m.signIn.verify) });
  }
  get error(): Locator {
    return this.ui.page.getByRole('alert');
  }

  /** The password step; resolves when the TOTP step is shown. */
  async enterPassword(credentials: { serverUrl: string; username: string; password: string }): Promise<void> {
    await expect(this.heading).toBeVisible();
    await this.serverUrl.fill(credentials.serverUrl);
    await this.username.fill(credentials.username);
    await this.password.fill(credentials.password);
    await this.submit.click();
    await expect(this.mfaHeading).toBeVisible();
  }

  async enterCode(code: string): Promise<void> {
    await this.code.fill(code);
    await this.verify.click();
  }
}
