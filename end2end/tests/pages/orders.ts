import { expect, type Locator, type Page } from '@playwright/test';
import { AppShell } from './app';

/// The public event page's ticket picker.
export class EventTicketsPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(slugPath: string): Promise<void> {
    await this.page.goto(slugPath);
    await expect(this.page.getByRole('heading', { name: 'Tickets' })).toBeVisible();
  }

  tier(name: string): Locator {
    return this.page.locator('.tier-offer', { hasText: name });
  }

  async choose(tierName: string, quantity: number): Promise<void> {
    await this.tier(tierName).getByLabel('Quantity').selectOption(String(quantity));
  }

  async getTickets(): Promise<void> {
    await this.page.getByRole('button', { name: 'Get tickets' }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
  }
}

export class CheckoutPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  total(): Locator {
    return this.page.getByTestId('order-total');
  }

  async fillBuyer(buyer: { name: string; email: string }): Promise<void> {
    await this.page.getByLabel('Full name').fill(buyer.name);
    await this.page.getByLabel('Email', { exact: true }).fill(buyer.email);
  }

  async fillAttendee(index: number, attendee: { name: string; email?: string }): Promise<void> {
    const block = this.page.locator('fieldset.attendee').nth(index);
    await block.getByLabel('Attendee name').fill(attendee.name);
    if (attendee.email) {
      await block.getByLabel('Attendee email (optional)').fill(attendee.email);
    }
  }

  async choosePayment(label: string): Promise<void> {
    await this.page.getByLabel(label).check();
  }

  async placeOrder(): Promise<void> {
    await this.page.getByRole('button', { name: /Place order|Get my tickets|Continue to payment/ }).click();
    await expect(this.page).toHaveURL(/\/orders\/[A-Za-z0-9_-]{32,}$/);
  }
}

export class OrderConfirmationPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  orderNumber(): Locator {
    return this.page.locator('.order-head .order-number');
  }

  qrCodes(): Locator {
    return this.page.getByRole('img', { name: /^QR code for ticket TKT-/ });
  }

  tickets(): Locator {
    return this.page.locator('li.ticket');
  }

  /// What the order's state means for the buyer (paid, reserved, waiting, …).
  statusNote(): Locator {
    return this.page.locator('.order-head').getByRole('status');
  }
}

export class SentMailPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(): Promise<void> {
    await this.page.goto('/dashboard/mail');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Sent mail' })).toBeVisible();
  }

  /// Reloads until the worker has sent the message to `recipient` (it runs in the background).
  async waitForMessageTo(recipient: string): Promise<Locator> {
    const row = this.page.locator('tr', { hasText: recipient });
    await expect(async () => {
      await this.page.reload();
      await expect(row.first()).toContainText('sent', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    return row.first();
  }
}
