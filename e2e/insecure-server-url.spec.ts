// Finding 9 as a person sees it: a server address that would send the password in clear (plain
// http to a LAN or public host) or is not a web address at all is refused on the server field
// with the "use https://" message, and nothing is sent; loopback http still signs in.

import { DEMO_PASSWORD } from '../server/seed/demo';
import { expect, signInAs, test } from './support/fixtures';

const REP = 'rep.sh1.1';

test('the sign-in form refuses plain http to a non-loopback host and non-web addresses', async ({ app, server, totp, shot }) => {
  const sent: string[] = [];
  app.page.on('request', (request) => {
    if (!request.url().startsWith(server.url) && !request.url().startsWith('http://127.0.0.1')) sent.push(request.url());
  });
  await expect(app.signIn.heading).toBeVisible();
  const field = app.page.locator('.ant-form-item').filter({ has: app.signIn.serverUrl });
  for (const address of ['http://10.0.0.1:8787', 'http://example.com', 'javascript:alert(1)']) {
    await app.signIn.serverUrl.fill(address);
    await app.signIn.username.fill(REP);
    await app.signIn.password.fill(DEMO_PASSWORD);
    await app.signIn.submit.click();
    await expect(field.locator('.ant-form-item-explain-error')).toHaveText(app.ui.m.signIn.serverUrlInsecure);
    await expect(app.signIn.mfaHeading).toHaveCount(0);
  }
  await shot(app.page, 'sign-in-insecure-url');
  expect(sent).toEqual([]);

  // The loopback server of this run (plain http) is still accepted.
  await app.signIn.serverUrl.fill('');
  await signInAs(app, { serverUrl: server.url, username: REP, totp });
  await expect(app.shell.navItem('customers')).toBeVisible();
});
