// A rep signs in with password + TOTP, the first sync completes, the list holds exactly the
// customers the server says the rep may read (own + shared), and a Chinese substring from the
// middle of a customer's name finds it.

import { nameSortKey } from '../electron/core/vault/collation';
import { DEMO_PASSWORD } from '../server/seed/demo';
import { expect, test } from './support/fixtures';
import { expectListMatchesServerScope } from './support/flows';

const REP = 'rep.sh1.1';
/** A Chinese company name: city (2) + brand (2) + trade (2) + suffix, all CJK. */
const CJK_COMPANY = /^[\u4e00-\u9fff]{8,}$/;

test('a rep signs in with TOTP, syncs only their customers and finds one by a Chinese substring', async ({ app, server, totp, shot }) => {
  await app.signIn.serverUrl.fill(server.url);
  await app.signIn.username.fill(REP);
  await app.signIn.password.fill(DEMO_PASSWORD);
  await shot(app.page, 'sign-in');

  // The code field takes digits only: typed letters never enter it, a pasted "123 456" loses its space.
  await app.signIn.enterPassword({ serverUrl: server.url, username: REP, password: DEMO_PASSWORD });
  await app.signIn.code.pressSequentially('ab1c2');
  await expect(app.signIn.code).toHaveValue('12');
  await app.signIn.code.fill('123 456');
  await expect(app.signIn.code).toHaveValue('123456');
  await app.signIn.enterCode(await totp.freshCode(REP));
  await app.shell.expectReady();
  await expect(app.shell.navItem('customers')).toBeVisible();
  // The first sync completed: the header tells when.
  await expect(app.shell.syncStatus).toContainText(app.shell.lastSyncedPrefix);

  // Exactly the rep's customers: what the permission engine grants the rep on the server's data.
  const expected = await expectListMatchesServerScope(app, server, REP);
  const rep = await server.db.user(REP);
  expect(expected.some((c) => c.ownerId === rep.id), 'the rep owns customers').toBe(true);
  expect(expected.some((c) => c.ownerId !== rep.id), 'the demo seed shares a colleague’s customer with this rep').toBe(true);
  const all = await server.db.db.selectFrom('customers').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  expect(expected.length, 'other reps’ customers stay on the server').toBeLessThan(Number(all.n));
  // In pinyin order (华为 among the H's, not after every Latin name and by code point), as the vault's sort key orders them.
  const shown = await app.customers.names();
  const utf8 = (name: string) => Buffer.from(nameSortKey(name));
  expect(shown).toEqual([...shown].sort((a, b) => Buffer.compare(utf8(a), utf8(b))));
  expect(shown, 'the demo names are not already in code point order').not.toEqual([...shown].sort());
  await shot(app.page, 'customer-list');

  // A substring from the middle of a Chinese name (not a prefix, not on a word boundary).
  const target = expected.find((c) => CJK_COMPANY.test(c.name));
  if (!target) throw new Error(`no Chinese company name among ${REP}'s customers: ${expected.map((c) => c.name).join(', ')}`);
  const needle = target.name.slice(2, 5);
  await app.customers.searchFor(needle);
  // The list narrows (customers matching nowhere — name, city, tags, contacts — leave it) …
  await expect.poll(() => app.customers.total()).toBeLessThan(expected.length);
  // … and keeps every customer whose name holds the substring.
  await expect(app.customers.row(target.name)).toBeVisible();
  for (const other of expected.filter((c) => c.name.includes(needle))) await expect(app.customers.row(other.name)).toBeVisible();
  await shot(app.page, 'customer-search');

  await app.customers.open(target.name);
  await expect(app.detail.title(target.name)).toBeVisible();
  await shot(app.page, 'customer-detail');
});
