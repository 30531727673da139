import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { SignUpPage } from './pages/account';
import {
  AttendeeEmailPage,
  AttendeesPage,
  DashboardPage,
  EventSalesPage,
  NotificationsPage,
  OverviewPanel,
} from './pages/dashboard';
import { latestMessageTo } from './pages/mailbox';
import { EventEditorPage } from './pages/events';
import { CheckoutPage, EventTicketsPage, OrderConfirmationPage } from './pages/orders';
import { uniqueEmail } from './pages/app';

/** Signs up an organizer, creates and publishes an event with the given tiers, and returns
 *  its id and public path. */
async function organizerWithEvent(
  page: Page,
  who: { name: string; email: string; organization: string },
  event: { name: string; capacity: string; tiers: { name: string; price: string; capacity: string }[] },
  beforePublishing?: (editor: EventEditorPage) => Promise<void>,
): Promise<{ eventId: string; eventPath: string }> {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer(who.name, who.email, 'a-long-enough-password', who.organization);
  await new DashboardPage(page).expectOrganization(who.organization);
  const editor = new EventEditorPage(page);
  await editor.createEvent({ name: event.name, start: '2031-10-01T18:00', end: '2031-10-01T21:00', capacity: event.capacity });
  for (const tier of event.tiers) await editor.addTier(tier);
  if (beforePublishing) await beforePublishing(editor);
  await editor.publish();
  const eventId = editor.eventId();
  const eventPath = (await page.getByRole('link', { name: 'View public page' }).getAttribute('href'))!;
  return { eventId, eventPath };
}

/** A guest in a fresh browser takes free tickets of one tier for themselves and named guests;
 *  returns the buyer's e-mail address. */
async function guestTakes(browser: Browser, eventPath: string, tier: string, guests: string[]): Promise<string> {
  const buyer = uniqueEmail('buyer');
  const context = await browser.newContext();
  const guest = await context.newPage();
  const tickets = new EventTicketsPage(guest);
  await tickets.goto(eventPath);
  await tickets.choose(tier, guests.length + 1);
  await tickets.getTickets();
  const checkout = new CheckoutPage(guest);
  await checkout.waitForHydration();
  await checkout.fillBuyer({ name: 'Ada Lovelace', email: buyer });
  for (const [index, name] of guests.entries()) await checkout.fillAttendee(index + 1, { name });
  await checkout.placeOrder();
  await expect(new OrderConfirmationPage(guest).qrCodes()).toHaveCount(guests.length + 1);
  await context.close();
  return buyer;
}

test('an organizer hears of the first sale, reads it, and sees it on the overview', async ({ page, browser }) => {
  const stamp = Date.now();
  const eventName = `Overview Meetup ${stamp}`;
  const { eventPath } = await organizerWithEvent(
    page,
    { name: 'Nora Notified', email: uniqueEmail('overview-org'), organization: `Overview Org ${stamp}` },
    { name: eventName, capacity: '2', tiers: [{ name: 'Free', price: '0', capacity: '2' }] },
  );
  await guestTakes(browser, eventPath, 'Free', []);

  // One of two seats sold: the first sale and the half-way mark, each announced once.
  const overview = new OverviewPanel(page);
  await overview.goto();
  await expect(overview.notificationsLink()).toContainText('2 unread');
  await expect(overview.card('Tickets sold, last 30 days')).toHaveText('1');
  const daily = overview.chart(/^Tickets sold per day/);
  await expect(daily.locator('svg rect.chart-bar')).toHaveCount(30);
  await expect(daily.getByRole('table').locator('td').last()).toHaveText('1');

  const notifications = new NotificationsPage(page);
  await notifications.goto();
  await expect(notifications.unread()).toHaveCount(2);
  await expect(notifications.items().filter({ hasText: `First ticket sold for ${eventName}` })).toHaveCount(1);
  await expect(notifications.items().filter({ hasText: `${eventName} is half sold` })).toHaveCount(1);
  await notifications.markAllRead();
  await expect(notifications.unread()).toHaveCount(0);
  // The header's count follows at once, without leaving the page.
  await expect(overview.notificationsLink()).toHaveText('Notifications');
  await overview.goto();
  await expect(overview.notificationsLink()).toHaveText('Notifications');
});

test('the event dashboard counts a purchase without a reload, shows who changed a price and marks the event live', async ({ page, browser }) => {
  const stamp = Date.now();
  const { eventId, eventPath } = await organizerWithEvent(
    page,
    { name: 'Lena Live', email: uniqueEmail('sales-org'), organization: `Sales Org ${stamp}` },
    {
      name: `Sales Live ${stamp}`,
      capacity: '50',
      tiers: [
        { name: 'Standard', price: '0', capacity: '50' },
        { name: 'Supporter', price: '20', capacity: '10' },
      ],
    },
    (editor) => editor.changeTierPrice('Supporter', '25'),
  );

  const sales = new EventSalesPage(page);
  await sales.goto(eventId);
  await expect(sales.ticketsSold()).toHaveText('0');
  await expect(sales.activity().filter({ hasText: 'changed tier Supporter: price $20.00 → $25.00' })).toContainText('Lena Live');

  // A guest takes two tickets in another browser; the organizer's page catches up on its own.
  await guestTakes(browser, eventPath, 'Standard', ['Grace Hopper']);
  await expect(sales.ticketsSold()).toHaveText('2', { timeout: 10_000 });
  await expect(page.getByRole('row', { name: /Standard/ })).toContainText('2');

  // The header offers the status changes valid now.
  await expect(sales.status()).toHaveText('Published');
  await sales.waitForHydration();
  await sales.statusButton('Mark as live').click();
  await expect(sales.status()).toHaveText('Live');
  await expect(sales.statusButton('Mark as completed')).toBeVisible();
});

test('an organizer finds an attendee, downloads the list and e-mails one tier once per address', async ({ page, browser }) => {
  const stamp = Date.now();
  const { eventId, eventPath } = await organizerWithEvent(
    page,
    { name: 'Ava Attentive', email: uniqueEmail('attendees-org'), organization: `Attendee Org ${stamp}` },
    {
      name: `Attendee Night ${stamp}`,
      capacity: '50',
      tiers: [
        { name: 'General', price: '0', capacity: '40' },
        { name: 'Crew', price: '0', capacity: '10' },
      ],
    },
  );
  const buyer = await guestTakes(browser, eventPath, 'General', ['Grace Hopper']);
  await guestTakes(browser, eventPath, 'Crew', []);

  const attendees = new AttendeesPage(page);
  await attendees.goto(eventId);
  await expect(attendees.count()).toHaveText('3 ticket holders');
  await attendees.search('GRACE');
  await expect(attendees.count()).toHaveText('1 found for “GRACE”');
  await expect(attendees.rows()).toHaveCount(1);
  await expect(attendees.rows().first()).toContainText('General');

  const csv = await attendees.downloadCsv();
  expect(csv.startsWith('\uFEFF'), 'a byte order mark for Excel').toBe(true);
  expect(csv).toContain('Grace Hopper');
  expect(csv.split('\r\n').filter((line) => line.length > 0)).toHaveLength(4);

  const email = new AttendeeEmailPage(page);
  await email.goto(eventId);
  const preview = await email.preview({ to: 'General ticket holders', subject: `Doors ${stamp}`, body: 'Doors open at 6.' });
  await expect(preview).toContainText('General ticket holders — 1 person');
  await expect(preview).toContainText('You receive this because you hold a ticket to');
  await email.send();
  await expect(email.sent().first()).toContainText(`Doors ${stamp}`);
  const message = await latestMessageTo(buyer, 'Doors open at 6.');
  expect(message).toContain(`Subject: Doors ${stamp}`);
});
