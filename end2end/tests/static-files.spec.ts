import { expect, test } from './fixtures';
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
