// A rep's working day, offline: the city comes from the list (or "other" with free text), the
// outbox shows each change (field: old → new) in the UI's language, one change is discarded (the
// record goes back to the server's version), another is sent now; the sign-out confirmation
// counts the unsent change and, offline, keeps it. Both languages, one spec.

import { randomUUID } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import { expect, signInAs, test } from './support/fixtures';
import { buttonName, fill, MESSAGES } from './pages/messages';

const REP = 'rep.bj1.2';

/** The outbox drawer (a dialog named by its title). */
function outboxDrawer(page: Page, m: typeof MESSAGES.en): Locator {
  return page.getByRole('dialog', { name: m.outbox.title });
}

/**
 * Picks an option of a searchable antd select: typing narrows the (virtual) list, so an option
 * far down is rendered; the options carry their label as title.
 */
async function choose(page: Page, control: Locator, option: string): Promise<void> {
  await control.click();
  await control.fill(option);
  await page.locator('.ant-select-dropdown:visible').getByTitle(option, { exact: true }).click();
}

test('a rep discards and sends outbox changes, signs out offline without losing them, and picks a city from the list', async ({ app, server, totp, shot }) => {
  await signInAs(app, { serverUrl: server.url, username: REP, totp });
  const rep = await server.db.user(REP);
  const customer = (await server.db.visibleCustomers(REP)).find((c) => c.ownerId === rep.id && c.city);
  if (!customer) throw new Error(`${REP} owns no customer with a city on the e2e server`);
  const page = app.page;
  let m = MESSAGES['zh-CN'];
  await app.customers.open(customer.name);
  await expect(app.detail.title(customer.name)).toBeVisible();
  const originalCity = customer.city!;
  const newCity = originalCity === '杭州' ? '苏州' : '杭州';

  await server.stop();
  try {
    await expect(app.shell.offlineBanner).toBeVisible();

    // zh-CN: the city from the list, then a note; both wait in the outbox.
    await app.detail.editButton.click();
    const edit = app.detail.editDialog(customer.name);
    await expect(edit).toBeVisible();
    await choose(page, app.detail.formControl(edit, m.fields.customer.city), newCity);
    await shot(page, 'city-list-zh');
    await edit.getByRole('button', { name: buttonName(m.common.save) }).click();
    await expect(edit).toBeHidden();
    await expect(app.detail.fieldValue('city')).toHaveText(newCity);
    const notes = `下午再去一次 🚗 ${randomUUID().slice(0, 8)}`;
    await app.detail.editCustomer(customer.name, { notes });
    await app.shell.expectOutboxCount(2);

    await app.shell.outbox.click();
    let drawer = outboxDrawer(page, m);
    const items = drawer.getByTestId('outbox-item');
    await expect(items).toHaveCount(2);
    const cityItem = items.filter({ hasText: m.fields.customer.city });
    await expect(cityItem.getByTestId('outbox-changes')).toHaveText(`${m.fields.customer.city}: ${originalCity} → ${newCity}`);
    await expect(items.filter({ hasText: m.fields.customer.notes })).toContainText(notes);
    await expect(drawer).toContainText(m.outbox.offlineHint);
    await shot(page, 'outbox-zh');

    // Discard the city: confirmed, the record is the server's again.
    await cityItem.getByRole('button', { name: new RegExp(`^${m.outbox.discard}`) }).click();
    await page.getByRole('tooltip').getByRole('button', { name: buttonName(m.outbox.discard) }).click();
    await expect(items).toHaveCount(1);
    await app.shell.expectOutboxCount(1);
    await expect(app.detail.fieldValue('city')).toHaveText(originalCity);

    // Send now while offline: it says the server cannot be reached; the change stays.
    await items.first().getByRole('button', { name: new RegExp(`^${m.outbox.retry}`) }).click();
    await expect(page.getByText(m.errors.server_unreachable.title).first()).toBeVisible();
    await app.shell.expectOutboxCount(1);
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();

    // Sign-out offline: it counts the unsent change, says it stays, and cannot sign out now.
    const signOut = page.getByTestId('sign-out');
    await signOut.click();
    let dialog = page.getByRole('dialog', { name: m.signOut.title });
    await expect(dialog).toContainText(m.signOut.removesVault);
    await expect(dialog.getByTestId('sign-out-unsent')).toContainText(m.signOut.unsentOne);
    await expect(dialog.getByTestId('sign-out-unsent')).toContainText(m.signOut.offline);
    await expect(dialog.getByRole('button', { name: m.signOut.confirm })).toBeDisabled();
    await shot(page, 'sign-out-offline-zh');
    await dialog.getByRole('button', { name: buttonName(m.common.cancel) }).click();
    await expect(dialog).toBeHidden();

    // English: the same screens.
    await app.shell.switchLanguage('en', 'English');
    m = MESSAGES.en;
    await signOut.click();
    dialog = page.getByRole('dialog', { name: m.signOut.title });
    await expect(dialog.getByTestId('sign-out-unsent')).toContainText(m.signOut.unsentOne);
    await expect(dialog.getByRole('button', { name: m.signOut.confirm })).toBeDisabled();
    await shot(page, 'sign-out-offline-en');
    await dialog.getByRole('button', { name: buttonName(m.common.cancel) }).click();
    await app.shell.outbox.click();
    drawer = outboxDrawer(page, m);
    await expect(drawer.getByTestId('outbox-item').first()).toContainText(`${m.fields.customer.notes}:`);
    await expect(drawer.getByTestId('outbox-item').first()).toContainText(m.outbox.op.update);
    await shot(page, 'outbox-en');
    expect((await server.db.customer(customer.id))?.notes).not.toBe(notes);

    // Back online: send now uploads it.
    await server.start();
    await drawer.getByTestId('outbox-item').first().getByRole('button', { name: new RegExp(`^${m.outbox.retry}`) }).click();
    await app.shell.expectOutboxCount(0, 45_000);
    expect((await server.db.customer(customer.id))?.notes).toBe(notes);
    expect((await server.db.customer(customer.id))?.city).toBe(originalCity);
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();

    // The city list in English: "Other" with free text reaches the server as typed.
    await app.detail.editButton.click();
    const editEn = app.detail.editDialog(customer.name);
    await expect(editEn).toBeVisible();
    await choose(page, app.detail.formControl(editEn, m.fields.customer.city), m.forms.other);
    await editEn.getByLabel(fill(m.forms.otherValue, { field: m.fields.customer.city })).fill('Kashgar');
    await shot(page, 'city-other-en');
    await editEn.getByRole('button', { name: buttonName(m.common.save) }).click();
    await expect(editEn).toBeHidden();
    await expect(app.detail.fieldValue('city')).toHaveText('Kashgar');
    await app.shell.expectOutboxCount(0, 45_000);
    await expect.poll(async () => (await server.db.customer(customer.id))?.city).toBe('Kashgar');
  } finally {
    await server.start();
  }
});
