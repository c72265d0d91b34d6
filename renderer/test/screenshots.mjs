// Renders the built renderer (dist/renderer) in Chromium with the in-memory fake desktop API
// and saves a screenshot of every main screen. A development check, not a unit test:
//   npx vite build && node renderer/test/screenshots.mjs [outDir]
// Fails (exit 1) on any page error or console error.
/* global window -- page.evaluate callbacks run in the page */
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const distDir = join(root, 'dist/renderer');
const outDir = resolve(process.argv[2] ?? '/tmp/sv-shots');
await mkdir(outDir, { recursive: true });

const bundle = await build({
  entryPoints: [join(root, 'renderer/test/fake-entry.ts')],
  bundle: true,
  format: 'iife',
  write: false,
  platform: 'browser',
  target: 'chrome120',
});
const fakeScript = bundle.outputFiles[0].text;

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = join(distDir, path === '/' ? 'index.html' : path);
  if (!file.startsWith(distDir)) return res.writeHead(403).end();
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];

async function open(name, config, act) {
  const page = await browser.newPage({ viewport: { width: 1366, height: 820 }, locale: 'zh-CN' });
  page.on('pageerror', (e) => problems.push(`${name}: pageerror ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${name}: console ${m.text()}`);
  });
  try {
    await page.addInitScript(`window.__SV_FAKE__ = ${JSON.stringify(config)};`);
    await page.addInitScript(fakeScript);
    await page.goto(base);
    await act(page);
    await page.screenshot({ path: join(outDir, `${name}.png`) });
  } catch (e) {
    problems.push(`${name}: ${e.message.split('\n')[0]}`);
    await page.screenshot({ path: join(outDir, `${name}-FAILED.png`) }).catch(() => undefined);
  }
  await page.close();
}

const rep = { signedInAs: 'wang.wei' };
await open('01-sign-in', {}, async (page) => {
  await page.getByLabel('用户名').fill('xu.new');
  await page.getByLabel('密码').fill('demo-password');
});
await open('02-mfa-setup', {}, async (page) => {
  await page.getByLabel('用户名').fill('xu.new');
  await page.getByLabel('密码').fill('demo-password');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByLabel('6 位动态验证码').waitFor();
});
await open('03-first-sync', {}, async (page) => {
  await page.getByLabel('用户名').fill('wang.wei');
  await page.getByLabel('密码').fill('demo-password');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByLabel('6 位动态验证码').fill('123456');
  await page.getByRole('button', { name: '验证并进入' }).click();
  await page.getByText('正在首次同步').waitFor();
  await page.waitForTimeout(400);
});
await open('04-rep-customers', rep, async (page) => {
  await page.getByRole('listbox', { name: '客户列表' }).waitFor();
  await page.getByRole('listbox', { name: '客户列表' }).focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.getByTestId('customer-title').waitFor();
});
await open('05-rep-search-edit', rep, async (page) => {
  await page.getByLabel('搜索客户').fill('杭州');
  await page.waitForTimeout(400);
  await page.getByRole('option').first().click();
  await page.getByRole('button', { name: '编辑客户' }).click();
  await page.getByRole('dialog').waitFor();
  await page.waitForTimeout(300);
});
await open('06-rep-log-visit-offline', { ...rep, initial: { online: false, leaseUntil: Date.now() + 5 * 3600_000 } }, async (page) => {
  await page.getByRole('option').first().click();
  await page.getByRole('button', { name: '记录拜访' }).click();
  await page.getByLabel('记录内容').fill('拜访了采购部王经理，确认下季度需求。');
  await page.getByRole('button', { name: '保存' }).click();
  await page.waitForTimeout(300);
  await page.getByTestId('outbox-button').click();
  await page.waitForTimeout(300);
});
await open('07-service-detail', { signedInAs: 'zhao.min' }, async (page) => {
  await page.getByRole('option').first().click();
  await page.getByTestId('read-only-tag').waitFor();
});
await open('08-manager-dashboard', { signedInAs: 'chen.jing' }, async (page) => {
  await page.getByRole('menuitem', { name: '团队看板' }).click();
  await page.getByTestId('chart-pipeline-stage').locator('svg').first().waitFor();
  await page.waitForTimeout(600);
});
await open('09-admin-users', { signedInAs: 'sun.lei' }, async (page) => {
  await page.getByRole('cell', { name: '王伟', exact: true }).waitFor();
});
await open('10-admin-roles', { signedInAs: 'sun.lei' }, async (page) => {
  await page.getByRole('menuitem', { name: '角色与权限' }).click();
  await page.getByLabel('销售代表: 导出').first().waitFor();
});
await open('11-admin-org', { signedInAs: 'sun.lei' }, async (page) => {
  await page.getByRole('menuitem', { name: '组织架构' }).click();
  await page.getByText('上海销售一组').waitFor();
});
await open('12-admin-devices-revoke', { signedInAs: 'sun.lei' }, async (page) => {
  await page.getByRole('menuitem', { name: '设备' }).click();
  await page.getByRole('button', { name: /撤销: 王伟/ }).click();
  await page.getByRole('tooltip').waitFor();
});
await open('13-auditor-audit', { signedInAs: 'zhou.ting' }, async (page) => {
  await page.getByRole('button', { name: '校验哈希链' }).click();
  await page.getByTestId('audit-verify-result').waitFor();
});
await open('14-locked', { ...rep, initial: { phase: 'locked', online: false, reason: 'lease_expired' } }, async (page) => {
  await page.getByRole('button', { name: '重新连接' }).waitFor();
});
await open('15-revoked', { ...rep, initial: { phase: 'revoked', reason: 'device revoked by IT' } }, async (page) => {
  await page.getByText('此设备的访问权限已被撤销').first().waitFor();
});
await open('16-english', { ...rep, initial: { locale: 'en' } }, async (page) => {
  await page.getByRole('option').nth(2).click();
  await page.getByTestId('customer-title').waitFor();
});
await open('17-rep-issues', rep, async (page) => {
  await page.evaluate(() =>
    window.__SV_FAKE_API__.addIssue({
      id: 'iss-1', kind: 'conflict', entity: 'customer', recordId: 'cus-0001', label: '上海华通精密机械有限公司', createdAt: Date.now(), reason: null,
      conflicts: [{ field: 'city', yours: '苏州', theirs: '上海' }],
    }),
  );
  await page.getByTestId('issues-button').click();
  await page.getByRole('button', { name: /知道了/ }).waitFor();
  await page.waitForTimeout(500);
});

await browser.close();
server.close();
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`screenshots in ${outDir}`);
