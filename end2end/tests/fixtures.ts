import { test as base } from '@playwright/test';

export { expect } from '@playwright/test';

/// Each test browses from its own client address, the way visitors arrive through a proxy
/// the server trusts (scripts/test starts it with TRUSTED_PROXIES=127.0.0.1), so the
/// per-address limits count each test on its own rather than the whole suite as one visitor.
export const test = base.extend<{ clientAddress: string }>({
  clientAddress: [
    async ({ context }, use) => {
      const address = `198.18.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
      await context.setExtraHTTPHeaders({ 'x-forwarded-for': address });
      await use(address);
    },
    { auto: true },
  ],
});
