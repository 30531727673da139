import { expect, type Page } from '@playwright/test';
import { AppShell } from './app';

export class DashboardPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async expectOrganization(name: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/dashboard$/);
    await expect(this.page.getByRole('heading', { level: 1, name })).toBeVisible();
  }

  emptyEvents() {
    return this.page.getByText('You have no events yet.');
  }
}
