import { expect, type Locator } from '@playwright/test';
import { buttonName, fill } from './messages';
import type { Ui } from './ui';

/** IT admin: enrolled devices with their state, and revoke behind a confirmation. */
export class AdminDevices {
  constructor(private readonly ui: Ui) {}

  get heading(): Locator {
    return this.ui.page.getByRole('heading', { level: 1, name: this.ui.m.admin.devices.title });
  }
  /**
   * The rows of a user's devices, by the user column ("name (username)"): a device's own name
   * ("SalesVault on linux (username)") is the same for every device that user enrolled on one
   * machine; the short device id column tells those apart.
   */
  rowsOf(username: string): Locator {
    return this.ui.page.getByRole('row').filter({ hasText: `(${username})` });
  }
  /** The user's device rows that still offer "revoke" (active devices). */
  activeRowsOf(username: string): Locator {
    return this.rowsOf(username).filter({ has: this.revokeButton });
  }
  /** Every row's revoke button is named "撤销: <device name> · <short device id>". */
  private get revokeButton(): Locator {
    return this.ui.page.getByRole('button', { name: new RegExp(`^${this.ui.m.admin.devices.revoke}: `) });
  }

  /** Revoke the user's one active device → confirm in the popover. */
  async revokeDeviceOf(username: string): Promise<void> {
    const row = this.activeRowsOf(username);
    await expect(row).toHaveCount(1);
    await row.getByRole('button', { name: new RegExp(`^${this.ui.m.admin.devices.revoke}: `) }).click();
    const confirm = this.ui.page.getByRole('tooltip').filter({ hasText: this.ui.m.admin.devices.revoke });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: buttonName(this.ui.m.admin.devices.revoke) }).click();
  }

  /** The user's devices shown as revoked. */
  revokedRowsOf(username: string): Locator {
    return this.rowsOf(username).filter({ has: this.ui.page.getByText(this.ui.m.admin.devices.revoked, { exact: true }) });
  }

  /** The minimum-version panel's cell of a platform ("No minimum" or the version). */
  minimumOf(platform: 'win32' | 'darwin' | 'linux'): Locator {
    return this.ui.page.locator(`[data-min-version="${platform}"]`);
  }
  belowCountOf(platform: 'win32' | 'darwin' | 'linux'): Locator {
    return this.ui.page.locator(`[data-below="${platform}"]`);
  }

  /** Type a minimum for the platform (its label, e.g. "Linux"), press "set", confirm. */
  async setMinimum(platformLabel: string, version: string): Promise<void> {
    const mv = this.ui.m.admin.minVersion;
    await this.ui.page.getByRole('textbox', { name: fill(mv.inputLabel, { platform: platformLabel }) }).fill(version);
    await this.ui.page.getByRole('button', { name: fill(mv.setFor, { platform: platformLabel }) }).click();
    const confirm = this.ui.page.getByRole('tooltip').filter({ hasText: fill(mv.confirmTitle, { platform: platformLabel, version }) });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: buttonName(mv.set) }).click();
    await expect(confirm).toBeHidden();
  }

  async clearMinimum(platformLabel: string): Promise<void> {
    await this.ui.page.getByRole('button', { name: fill(this.ui.m.admin.minVersion.clearFor, { platform: platformLabel }) }).click();
  }

  /** The "below minimum" tag in the user's active device rows. */
  belowTagOf(username: string): Locator {
    return this.activeRowsOf(username).getByText(this.ui.m.admin.minVersion.belowTag, { exact: true });
  }

  /** Type into the devices search (host name, person, IP, version). */
  async search(text: string): Promise<void> {
    await this.ui.page.getByPlaceholder(this.ui.m.admin.devices.searchPlaceholder).fill(text);
  }

  /** The user's device rows whose host-name cell is exactly `hostName`. */
  rowsOfHost(username: string, hostName: string): Locator {
    return this.rowsOf(username).filter({ has: this.ui.page.locator(`[data-host-name="${hostName.replaceAll('"', '\\"')}"]`) });
  }

  /** Open the exposure report of a row (the button is named "<report> of <host> · <short id>"). */
  async openExposure(row: Locator): Promise<void> {
    await expect(row).toHaveCount(1);
    await row.getByRole('button', { name: this.ui.m.admin.exposure.open }).click();
    await expect(this.exposureDrawer).toBeVisible();
  }

  get exposureDrawer(): Locator {
    return this.ui.page.getByRole('dialog').filter({ hasText: this.ui.m.admin.exposure.title });
  }
  exposureCount(entity: 'customer' | 'contact' | 'opportunity' | 'activity'): Locator {
    return this.exposureDrawer.getByTestId(`exposure-count-${entity}`);
  }
  get exposureWipe(): Locator {
    return this.exposureDrawer.getByTestId('exposure-wipe');
  }
  exposureDownload(format: 'pdf' | 'csv' | 'json'): Locator {
    return this.exposureDrawer.getByRole('button', { name: buttonName(this.ui.m.admin.exposure.download[format]) });
  }
  async refreshExposure(): Promise<void> {
    await this.exposureDrawer.getByRole('button', { name: this.ui.m.common.refresh }).click();
  }
  /** "Revoke now" in the drawer → confirm in the popover. */
  async revokeFromExposure(): Promise<void> {
    await this.exposureDrawer.getByRole('button', { name: buttonName(this.ui.m.admin.exposure.revokeNow) }).click();
    const confirm = this.ui.page.getByRole('tooltip').filter({ hasText: this.ui.m.admin.devices.revoke });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: buttonName(this.ui.m.admin.devices.revoke) }).click();
  }
}
