// Screenshots of the single sign-on screens at 1280×720, in Chinese and English, rendered from
// the built renderer with the in-memory fake desktop API (as renderer/test/screenshots.mjs does):
//   npx vite build && node renderer/test/sso-screenshots.mjs [outDir=test-results/sso]
// Fails (exit 1) on any page error or console error.
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const distDir = join(root, 'dist/renderer');
const outDir = resolve(process.argv[2] ?? join(root, 'test-results/sso'));
await mkdir(outDir, { recursive: true });

const bundle = await build({
  entryPoints: [join(root, 'renderer/test/fake-entry.ts')], bundle: true, format: 'iife', write: false, platform: 'browser', target: 'chrome120',
});
const fakeScript = bundle.outputFiles[0].text;
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = join(distDir, path === '/' ? 'index.html' : path);
  if (!file.startsWith(distDir)) return res.writeHead(403).end();
  try {
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
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
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
  page.on('pageerror', (e) => problems.push(`${name}: pageerror ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${name}: console ${m.text()}`);
  });
  try {
    await page.addInitScript(`window.__SV_FAKE__ = ${JSON.stringify(config)};`);
    await page.addInitScript(fakeScript);
    await page.goto(base);
    await act(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(outDir, `${name}.png`) });
  } catch (e) {
    problems.push(`${name}: ${e.message.split('\n')[0]}`);
    await page.screenshot({ path: join(outDir, `${name}-FAILED.png`) }).catch(() => undefined);
  }
  await page.close();
}

const T = {
  'zh-CN': { sso: '使用 Acme Entra ID 登录', nav: '登录与账号同步', issue: '更换令牌', confirm: '更换令牌' },
  en: { sso: 'Sign in with Acme Entra ID', nav: 'Sign-in & provisioning', issue: 'New token', confirm: 'New token' },
};
const admin = { signedInAs: 'sun.lei' };
for (const locale of ['zh-CN', 'en']) {
  const t = T[locale];
  const tag = locale === 'en' ? 'en' : 'zh';
  await open(`sso-sign-in-${tag}`, { initial: { locale } }, async (page) => {
    await page.getByRole('button', { name: t.sso }).waitFor();
  });
  await open(`sso-providers-${tag}`, { ...admin, initial: { locale } }, async (page) => {
    await page.getByRole('menuitem', { name: t.nav }).click();
    await page.getByRole('button', { name: /Expand row|展开行/ }).first().click();
    await page.getByText('SV Shanghai Team 1').waitFor();
  });
  await open(`sso-scim-token-${tag}`, { ...admin, initial: { locale } }, async (page) => {
    await page.getByRole('menuitem', { name: t.nav }).click();
    await page.getByRole('button', { name: t.issue }).first().click();
    await page.getByRole('tooltip').getByRole('button', { name: t.confirm }).click();
    await page.getByTestId('scim-token').waitFor();
  });
}

await browser.close();
server.close();
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`screenshots in ${outDir}`);
