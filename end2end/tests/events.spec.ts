import { expect, test } from './fixtures';
import { SignUpPage } from './pages/account';
import { DashboardPage } from './pages/dashboard';
import { EventEditorPage, PublicHomePage, VenuesPage } from './pages/events';
import { uniqueEmail } from './pages/app';

test('an organizer creates a venue and an event with two tiers, publishes it, and attendees find it', async ({ page }) => {
  const stamp = Date.now();
  const organization = `Lakeshore Events ${stamp}`;
  const venueName = `Harbour Hall ${stamp}`;
  const eventName = `Playwright Summit ${stamp}`;

  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Eve Editor', uniqueEmail('events'), 'a-long-enough-password', organization);
  await new DashboardPage(page).expectOrganization(organization);

  const venues = new VenuesPage(page);
  await venues.goto();
  await venues.addVenue({ name: venueName, address: '1 Harbour Sq', capacity: '300' });

  const editor = new EventEditorPage(page);
  await editor.createEvent({
    name: eventName,
    start: '2031-05-01T09:00',
    end: '2031-05-01T17:00',
    capacity: '120',
    venueLabel: `${venueName} — Toronto (300 seats)`,
  });
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(editor.statusAlert()).toContainText('Add at least one active ticket tier before publishing.');
  await editor.addTier({ name: 'Early Bird', price: '25', capacity: '50' });
  await editor.addTier({ name: 'General', price: '40', capacity: '70' });
  await editor.publish();

  const home = new PublicHomePage(page);
  await home.search(eventName);
  await expect(home.eventCards()).toHaveCount(1);
  await expect(home.eventCards().first()).toContainText(eventName);
  await expect(home.eventCards().first()).toContainText('From $25.00');

  await home.eventCards().first().getByRole('link', { name: eventName }).click();
  await expect(page.getByRole('heading', { level: 1, name: eventName })).toBeVisible();
  const tickets = page.locator('.tier-offer');
  await expect(tickets).toHaveCount(2);
  await expect(tickets.nth(0)).toContainText('Early Bird');
  await expect(tickets.nth(0)).toContainText('$25.00');
  await expect(tickets.nth(0)).toContainText('50 left');
  await expect(tickets.nth(1)).toContainText('General');
  await expect(tickets.nth(1)).toContainText('$40.00');
  await expect(page.getByText(venueName)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Add to calendar' })).toHaveAttribute('href', /calendar\.ics$/);
});

test('a search narrows the public listing', async ({ page }) => {
  const home = new PublicHomePage(page);
  await page.goto('/');
  const all = await home.eventCards().count();
  expect(all).toBeGreaterThan(1);

  await home.search('Networking Night');
  await expect(home.eventCards()).toHaveCount(1);
  await expect(home.eventCards().first()).toContainText('Toronto Tech Founders Networking Night');

  await home.search('no event is called this');
  await expect(home.eventCards()).toHaveCount(0);
  await expect(home.resultCount()).toHaveText('No upcoming events match.');
});
