import { expect, test } from './fixtures';
import { SignUpPage } from './pages/account';
import { DashboardPage, NotificationsPage, OverviewPanel } from './pages/dashboard';
import { EventEditorPage } from './pages/events';
import { CheckoutPage, EventTicketsPage, OrderConfirmationPage } from './pages/orders';
import { uniqueEmail } from './pages/app';

test('an organizer hears of the first sale, reads it, and sees it on the overview', async ({ page, browser }) => {
  const stamp = Date.now();
  const eventName = `Overview Meetup ${stamp}`;
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Nora Notified', uniqueEmail('overview-org'), 'a-long-enough-password', `Overview Org ${stamp}`);
  await new DashboardPage(page).expectOrganization(`Overview Org ${stamp}`);
  const editor = new EventEditorPage(page);
  await editor.createEvent({ name: eventName, start: '2031-10-01T18:00', end: '2031-10-01T21:00', capacity: '2' });
  await editor.addTier({ name: 'Free', price: '0', capacity: '2' });
  await editor.publish();
  const eventPath = await page.getByRole('link', { name: 'View public page' }).getAttribute('href');

  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  const tickets = new EventTicketsPage(guest);
  await tickets.goto(eventPath!);
  await tickets.choose('Free', 1);
  await tickets.getTickets();
  const checkout = new CheckoutPage(guest);
  await checkout.waitForHydration();
  await checkout.fillBuyer({ name: 'Ada Lovelace', email: uniqueEmail('overview-buyer') });
  await checkout.placeOrder();
  await expect(new OrderConfirmationPage(guest).qrCodes()).toHaveCount(1);
  await guestContext.close();

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
  await overview.goto();
  await expect(overview.notificationsLink()).toHaveText('Notifications');
});
