import { expect, test } from './fixtures';
import { SignUpPage } from './pages/account';
import { DashboardPage } from './pages/dashboard';
import { EventEditorPage, VenuesPage } from './pages/events';
import { CheckoutPage, EventTicketsPage, OrderConfirmationPage, SentMailPage } from './pages/orders';
import { uniqueEmail } from './pages/app';

test('a guest buys a free and a pay-at-the-door ticket, sees two QR codes, and the organizer finds the e-mail', async ({ page, browser }) => {
  const stamp = Date.now();
  const eventName = `Checkout Summit ${stamp}`;
  const venueName = `Checkout Hall ${stamp}`;

  // The organizer sets up an event with a free and a paid tier.
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Olive Owner', uniqueEmail('checkout-org'), 'a-long-enough-password', `Checkout Org ${stamp}`);
  await new DashboardPage(page).expectOrganization(`Checkout Org ${stamp}`);
  const venues = new VenuesPage(page);
  await venues.goto();
  await venues.addVenue({ name: venueName, address: '200 Front St W', capacity: '200' });
  const editor = new EventEditorPage(page);
  await editor.createEvent({
    name: eventName,
    start: '2031-09-15T09:00',
    end: '2031-09-15T17:00',
    capacity: '100',
    venueLabel: `${venueName} — Toronto (200 seats)`,
    payAtDoor: true,
  });
  await editor.addTier({ name: 'Community', price: '0', capacity: '20' });
  await editor.addTier({ name: 'Professional', price: '40', capacity: '20' });
  await editor.publish();
  const eventEditorPath = new URL(page.url()).pathname;
  const eventPath = await page.getByRole('link', { name: 'View public page' }).getAttribute('href');

  // A guest in a fresh browser buys one of each.
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  const buyerEmail = uniqueEmail('buyer');
  const eventPage = new EventTicketsPage(guest);
  await eventPage.goto(eventPath!);
  await eventPage.choose('Community', 1);
  await eventPage.choose('Professional', 1);
  await eventPage.getTickets();

  const checkout = new CheckoutPage(guest);
  await expect(checkout.total()).toHaveText('$40.00');
  await checkout.waitForHydration();
  await checkout.fillBuyer({ name: 'Ada Lovelace', email: buyerEmail });
  await checkout.fillAttendee(1, { name: 'Grace Hopper' });
  await checkout.placeOrder();

  const confirmation = new OrderConfirmationPage(guest);
  await expect(confirmation.orderNumber()).toHaveText(/^ORD-\d{8}-[A-Z0-9]{8}$/);
  await expect(confirmation.qrCodes()).toHaveCount(2);
  await expect(confirmation.tickets().filter({ hasText: 'Ada Lovelace' })).toContainText('Community');
  await expect(confirmation.tickets().filter({ hasText: 'Grace Hopper' })).toContainText('Professional');
  await expect(confirmation.statusNote()).toContainText('reserved but not paid');
  // The unpaid ticket says so; the free one does not.
  await expect(confirmation.tickets().filter({ hasText: 'Grace Hopper' })).toContainText('Unpaid — $40.00 due at the door');
  await expect(confirmation.tickets().filter({ hasText: 'Ada Lovelace' })).not.toContainText('Unpaid');
  await guestContext.close();

  // The organizer reads the confirmation on the sent mail page.
  const mail = new SentMailPage(page);
  await mail.goto();
  const row = await mail.waitForMessageTo(buyerEmail);
  await expect(row).toContainText(`Your reservation for ${eventName}`);
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(eventName);
  await expect(page.locator('.mail-body')).toContainText('Grace Hopper');
  await expect(page.getByRole('listitem').filter({ hasText: /^TKT-.*\.png$/ })).toHaveCount(2);

  // The organizer cancels the event: first what it will do, then its progress.
  await page.goto(eventEditorPath);
  const impact = await editor.openCancellation();
  await expect(impact).toHaveText('1 order will be cancelled and 1 e-mail sent; nothing was paid, so nothing is refunded.');
  await editor.confirmCancellation();
  await expect(editor.cancellationProgress()).toContainText('Cancellation complete', { timeout: 15_000 });
  await expect(editor.cancellationProgress()).toContainText('1 of 1 order closed.');
});

test('a broken ticket choice and an unknown promo code are explained at checkout', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Hands-on Rust for Backend Teams' }).first().click();
  const eventPage = new EventTicketsPage(page);
  await expect(page.getByRole('heading', { name: 'Tickets' })).toBeVisible();
  const slug = new URL(page.url()).pathname;
  await page.goto(`${slug}/checkout?tickets=not-a-tier:1`);
  await expect(page.getByRole('alert')).toContainText('does not exist');
  await eventPage.goto(slug);
  const firstTier = page.locator('.tier-offer').first();
  await firstTier.getByLabel('Quantity').selectOption('1');
  await eventPage.getTickets();
  await page.getByLabel('Promo code').fill('NOPE');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('#promo-note')).toHaveText('We do not know this promo code for this event.');
});
