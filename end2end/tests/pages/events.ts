import { expect, type Locator, type Page } from '@playwright/test';
import { AppShell } from './app';

export class VenuesPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(): Promise<void> {
    await this.page.goto('/dashboard/venues');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Venues' })).toBeVisible();
  }

  async addVenue(venue: { name: string; address: string; capacity: string }): Promise<void> {
    const form = this.page.locator('form', { has: this.page.getByRole('button', { name: 'Add venue' }) });
    await form.getByLabel('Venue name').fill(venue.name);
    await form.getByLabel('Street address').fill(venue.address);
    await form.getByLabel('Seats').fill(venue.capacity);
    await form.getByLabel('Wi-Fi').check();
    await form.getByRole('button', { name: 'Add venue' }).click();
    await expect(this.page.getByRole('link', { name: venue.name })).toBeVisible();
  }
}

export class EventEditorPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  /** The id of the event being edited, from `/dashboard/events/{id}/edit`. */
  eventId(): string {
    const id = new URL(this.page.url()).pathname.match(/\/dashboard\/events\/([0-9a-f-]{36})\/edit$/)?.[1];
    expect(id, 'the editor of an event is open').toBeTruthy();
    return id!;
  }

  async createEvent(event: {
    name: string;
    start: string;
    end: string;
    capacity: string;
    venueLabel?: string;
    payAtDoor?: boolean;
  }): Promise<void> {
    await this.page.goto('/dashboard/events/new');
    await expect(this.page.getByRole('heading', { level: 1, name: 'New event' })).toBeVisible();
    await this.waitForHydration();
    await this.page.getByLabel('Event name').fill(event.name);
    await this.page.getByLabel('Type').selectOption('conference');
    await this.page.getByLabel('Starts').fill(event.start);
    await this.page.getByLabel('Ends').fill(event.end);
    await this.page.getByLabel('Capacity').fill(event.capacity);
    if (event.venueLabel) await this.page.getByLabel('Venue', { exact: true }).selectOption({ label: event.venueLabel });
    await this.page.getByLabel('Description').fill('A day of talks.\n\nLunch included.');
    if (event.payAtDoor) await this.page.getByLabel('Let buyers reserve now and pay later').check();
    await this.page.getByRole('button', { name: 'Create event' }).click();
    await expect(this.page).toHaveURL(/\/dashboard\/events\/[0-9a-f-]{36}\/edit$/);
    await expect(this.page.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
  }

  private addTierForm(): Locator {
    return this.page.locator('details.add-tier');
  }

  async addTier(tier: { name: string; price: string; capacity: string }): Promise<void> {
    await this.waitForHydration();
    const details = this.addTierForm();
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) {
      await details.locator('summary').click();
    }
    await details.getByLabel('Tier name').fill(tier.name);
    await details.getByLabel('Price (CAD)').fill(tier.price);
    await details.getByLabel('Capacity').fill(tier.capacity);
    await details.getByRole('button', { name: 'Add tier' }).click();
    await expect(this.page.locator('.tier-list .tier-head', { hasText: tier.name })).toBeVisible();
  }

  /** Opens a tier's "Edit" form and saves it with a new price. */
  async changeTierPrice(tierName: string, price: string): Promise<void> {
    await this.waitForHydration();
    const tier = this.page.locator('.tier-list li.tier', { has: this.page.locator('.tier-head', { hasText: tierName }) });
    await tier.locator('summary', { hasText: `Edit ${tierName}` }).click();
    await tier.getByLabel('Price (CAD)').fill(price);
    await tier.getByRole('button', { name: 'Save tier' }).click();
    await expect(tier.locator('.tier-head')).toContainText(`$${price}`);
  }

  async publish(): Promise<void> {
    await this.page.getByRole('button', { name: 'Publish' }).click();
    await expect(this.page.locator('.page-header .badge')).toHaveText('Published');
  }

  statusAlert(): Locator {
    return this.page.locator('.status-controls > .form-alert');
  }

  /** Opens "Cancel event" and returns what it says cancelling will do. */
  async openCancellation(): Promise<Locator> {
    await this.waitForHydration();
    await this.page.locator('.status-controls details.confirm summary', { hasText: 'Cancel event' }).click();
    return this.page.getByTestId('cancel-impact');
  }

  async confirmCancellation(): Promise<void> {
    await this.page.getByRole('button', { name: 'Yes, cancel this event' }).click();
    await expect(this.page.locator('.page-header .badge')).toHaveText('Cancelled');
  }

  cancellationProgress(): Locator {
    return this.page.getByTestId('cancellation-progress');
  }
}

export class PublicHomePage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async search(text: string): Promise<void> {
    await this.page.goto('/');
    await this.page.getByRole('searchbox', { name: 'Search' }).fill(text);
    await this.page.getByRole('button', { name: 'Search' }).click();
    await expect(this.page).toHaveURL(new RegExp(`q=${encodeURIComponent(text).replace(/%20/g, '\\+')}`));
  }

  eventCards(): Locator {
    return this.page.locator('.event-card');
  }

  resultCount(): Locator {
    return this.page.locator('.result-count');
  }
}
