import { chromium } from '@playwright/test';
const base = 'http://127.0.0.1:3931';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
await page.goto(base + '/login');
await page.getByLabel('Email').fill('demo@eventos.dev');
await page.getByLabel('Password', { exact: true }).fill('eventos-demo');
await page.getByRole('button', { name: 'Log in' }).click();
await page.waitForURL(/dashboard/);
await page.screenshot({ path: '/tmp/look-overview.png', fullPage: true });
await page.goto(base + '/dashboard/events');
for (const name of ['Product Leadership Breakfast', 'Toronto Tech Founders Networking Night']) {
  await page.goto(base + '/dashboard/events');
  await page.getByRole('link', { name }).first().click();
  await page.getByRole('heading', { name: 'Activity' }).waitFor();
  await page.screenshot({ path: `/tmp/look-${name.split(' ')[0]}.png`, fullPage: true });
}
await browser.close();
