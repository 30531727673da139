import { expect, test } from './fixtures';
import { LogInPage } from './pages/account';
import { EventTicketsPage } from './pages/orders';

test('an event page loads its script, WASM and styles compressed and cached for a year, and still hydrates', async ({ page }) => {
  const assets: { url: string; encoding?: string; cache?: string }[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/pkg/')) {
      const headers = response.headers();
      assets.push({ url: response.url(), encoding: headers['content-encoding'], cache: headers['cache-control'] });
    }
  });

  await page.goto('/');
  await page.getByRole('link', { name: 'Hands-on Rust for Backend Teams' }).first().click();
  const eventPage = new EventTicketsPage(page);
  await eventPage.waitForHydration();

  for (const kind of ['.js', '.wasm', '.css']) {
    const asset = assets.find((a) => new URL(a.url).pathname.endsWith(kind));
    expect(asset, `a ${kind} file was loaded`).toBeDefined();
    // Chromium asks for Brotli over HTTPS and for gzip over plain HTTP; both are precompressed.
    expect(['br', 'gzip'], asset!.url).toContain(asset!.encoding);
    expect(asset!.cache, asset!.url).toBe('public, max-age=31536000, immutable');
    expect(new URL(asset!.url).pathname, 'its name carries a content hash').toMatch(/\.[A-Za-z0-9_-]{22}\.\w+$/);
  }
});

test('an event page brings no other page\'s code; the log-in page loads its own chunk when opened', async ({ page }) => {
  const wasm: string[] = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.endsWith('.wasm')) wasm.push(path);
  });

  await page.goto('/');
  await page.getByRole('link', { name: 'Hands-on Rust for Backend Teams' }).first().click();
  const eventPage = new EventTicketsPage(page);
  await eventPage.waitForHydration();
  expect(wasm.filter((path) => path.includes('/split_')), 'lazily loaded pages fetched by the event page').toEqual([]);

  await eventPage.nav().getByRole('link', { name: 'Log in' }).click();
  const logIn = new LogInPage(page);
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect.poll(() => wasm.some((path) => /\/split___log_in_view_/.test(path))).toBe(true);
  // The chunk's code runs: the show-password button works after a client-side navigation.
  await logIn.passwordInput().fill('visible secret');
  await page.getByRole('button', { name: 'Show password' }).click();
  await expect(logIn.passwordInput()).toHaveAttribute('type', 'text');
});
