import { expect, type Page } from '@playwright/test';

/// A unique e-mail per test run, so tests never collide with each other or old data.
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/// The parts every page shares: header navigation and the hydration marker.
export class AppShell {
  constructor(readonly page: Page) {}

  /// The WASM bundle has taken over once the app marks the body; controls that need it work after this.
  async waitForHydration(): Promise<void> {
    await expect(this.page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  }

  nav() {
    return this.page.getByRole('navigation', { name: 'Main' });
  }

  async logOut(): Promise<void> {
    await this.nav().getByRole('button', { name: 'Log out' }).click();
    await expect(this.nav().getByRole('link', { name: 'Log in' })).toBeVisible();
  }
}
