import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';
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

/** The overview on the dashboard's landing page. */
export class OverviewPanel extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(): Promise<void> {
    await this.page.goto('/dashboard');
    await expect(this.page.getByRole('heading', { name: 'Needs attention' })).toBeVisible();
  }

  /** The value of a card, e.g. "Tickets sold, last 30 days". */
  card(name: string): Locator {
    return this.page.locator('.stat', { has: this.page.locator('dt', { hasText: name }) }).locator('dd').first();
  }

  /** A chart, found by its title. */
  chart(title: string | RegExp): Locator {
    return this.page.getByRole('figure', { name: title });
  }

  notificationsLink(): Locator {
    return this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Notifications/ });
  }
}

export class NotificationsPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(): Promise<void> {
    await this.page.goto('/dashboard/notifications');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  }

  items(): Locator {
    return this.page.locator('.notification');
  }

  unread(): Locator {
    return this.page.locator('.notification.unread');
  }

  async markAllRead(): Promise<void> {
    await this.page.getByRole('button', { name: 'Mark all read' }).click();
    await expect(this.page.getByText('All read')).toBeVisible();
  }
}

/** An event's dashboard: status actions, cards, tiers, the funnel and the activity. */
export class EventSalesPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(eventId: string): Promise<void> {
    await this.page.goto(`/dashboard/events/${eventId}`);
    await expect(this.page.getByRole('heading', { name: 'Activity' })).toBeVisible();
  }

  ticketsSold(): Locator {
    return this.page.getByTestId('tickets-sold');
  }

  status(): Locator {
    return this.page.locator('.page-header .badge');
  }

  /** The check-in section: each list's progress and the latest scans. */
  door(): Locator {
    return this.page.getByRole('region', { name: 'Check-in' });
  }

  statusButton(name: string): Locator {
    return this.page.getByRole('region', { name: 'Status' }).getByRole('button', { name });
  }

  activity(): Locator {
    return this.page.locator('.activity-list li');
  }
}

/** An event's attendee table: search, sort, pages and the CSV download. */
export class AttendeesPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(eventId: string): Promise<void> {
    await this.page.goto(`/dashboard/events/${eventId}/attendees`);
    await expect(this.page.getByRole('heading', { level: 1, name: 'Attendees' })).toBeVisible();
  }

  async search(text: string): Promise<void> {
    await this.page.getByTestId('attendee-search').fill(text);
    await this.page.getByRole('button', { name: 'Search' }).click();
  }

  count(): Locator {
    return this.page.getByTestId('attendee-count');
  }

  rows(): Locator {
    return this.page.getByTestId('attendee-table').locator('tbody tr');
  }

  /** Downloads the attendee CSV and returns its text. */
  async downloadCsv(): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.page.getByRole('link', { name: 'Download all (CSV)' }).click();
    const file = await (await download).path();
    return readFileSync(file, 'utf8');
  }
}

/** Writing to an event's attendees: compose, preview with the count, send. */
export class AttendeeEmailPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(eventId: string): Promise<void> {
    await this.page.goto(`/dashboard/events/${eventId}/email`);
    await expect(this.page.getByRole('heading', { level: 1, name: 'E-mail attendees' })).toBeVisible();
    await this.waitForHydration();
  }

  async preview(message: { to: string; subject: string; body: string }): Promise<Locator> {
    await this.page.getByLabel('To').selectOption({ label: message.to });
    await this.page.getByLabel('Subject').fill(message.subject);
    await this.page.getByRole('textbox', { name: 'Message' }).fill(message.body);
    await this.page.getByTestId('preview-message').click();
    const preview = this.page.getByTestId('message-preview');
    await expect(preview).toBeVisible();
    return preview;
  }

  async send(): Promise<void> {
    await this.page.getByTestId('send-message').click();
    await expect(this.page.getByTestId('message-queued')).toBeVisible();
  }

  sent(): Locator {
    return this.page.getByRole('region', { name: 'Sent' }).locator('tbody tr');
  }
}
