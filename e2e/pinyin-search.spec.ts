// A rep finds customers by pinyin and initials as well as by characters, in both languages:
// `shanghai` finds exactly the customers named or located in 上海 (as `上海` does), `sh` finds
// them too, `hw` finds every 华为 customer (or, for a rep without one, another brand's spelling
// and initials); and the keyboard goes from the search box into the results (↓) and opens one
// (Enter). The expected customers come from the server's own data.

import { expect, signInAs, test } from './support/fixtures';

const CASES = [
  { locale: 'zh-CN', rep: 'rep.sh1.3' },
  { locale: 'en', rep: 'rep.sh2.2' },
] as const;
/** Demo brands with their pinyin and initials (initials unique among the demo brands). */
const BRANDS = [
  { han: '华为', spelling: 'huawei', initials: 'hw' },
  { han: '腾飞', spelling: 'tengfei', initials: 'tf' },
  { han: '远航', spelling: 'yuanhang', initials: 'yh' },
  { han: '中科', spelling: 'zhongke', initials: 'zk' },
] as const;

for (const { locale, rep } of CASES) {
  test(`pinyin, initials and characters find the same customers (${locale})`, async ({ app, server, totp, shot }) => {
    await signInAs(app, { serverUrl: server.url, username: rep, totp });
    if (locale === 'en') await app.shell.switchLanguage('en', 'English');
    await app.shell.open('customers');

    const visible = await server.db.visibleCustomers(rep);
    const inShanghai = visible.filter((c) => c.name.includes('上海') || c.city === '上海' || /shanghai/i.test(c.name));
    const brand = BRANDS.find((b) => visible.some((c) => c.name.includes(b.han)));
    expect(inShanghai.length, 'the demo rep has customers in 上海').toBeGreaterThan(0);
    expect(brand, 'the demo rep has customers of a known brand').toBeDefined();
    const branded = visible.filter((c) => c.name.includes(brand!.han));

    const list = app.customers;
    await list.searchFor('上海');
    await expect.poll(() => list.total()).toBe(inShanghai.length);
    // A row names its city in the UI's language where the city is on the list (shared/domain/places.ts).
    const cityOfFirst = inShanghai.some((c) => c.city === '上海') ? (locale === 'en' ? 'Shanghai ·' : '上海 ·') : null;
    if (cityOfFirst) await expect(list.rows.filter({ hasText: cityOfFirst }).first()).toBeVisible();
    await list.searchFor('shanghai');
    await expect.poll(() => list.total()).toBe(inShanghai.length);
    await list.searchFor('sh');
    await expect.poll(() => list.total()).toBeGreaterThanOrEqual(inShanghai.length);
    await list.searchFor(brand!.spelling);
    await expect.poll(() => list.total()).toBe(branded.length);
    await list.searchFor(brand!.initials);
    await expect.poll(() => list.total()).toBeGreaterThanOrEqual(branded.length);
    // `hw 华为`: the initials AND the characters — every 华为 customer matches both.
    await list.searchFor(`${brand!.initials} ${brand!.han}`);
    await expect.poll(() => list.total()).toBe(branded.length);
    await shot(app.page, `pinyin-search-${locale}`);

    // Keyboard: ↓ from the search box into the results, Enter opens the active (first) row.
    await list.search.press('ArrowDown');
    await expect(list.list).toBeFocused();
    await list.list.press('Enter');
    // Every result carries the brand in its name, so the opened detail's title does too.
    await expect(app.page.getByRole('heading', { level: 1, name: new RegExp(brand!.han) })).toBeVisible();
    // Escape in the list returns to the search box.
    await list.list.press('Escape');
    await expect(list.search).toBeFocused();
  });
}
