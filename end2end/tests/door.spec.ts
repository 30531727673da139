import { expect, test } from './fixtures';
import { SignUpPage } from './pages/account';
import { DashboardPage } from './pages/dashboard';
import { DoorPage, InvitationPage, TeamPage } from './pages/door';
import { EventEditorPage } from './pages/events';
import { CheckoutPage, EventTicketsPage, OrderConfirmationPage } from './pages/orders';
import { uniqueEmail } from './pages/app';

test('an invited staff member joins, reaches the door but not the sales pages, and checks people in by code and by search', async ({ page, browser }) => {
  const stamp = Date.now();
  const eventName = `Door Night ${stamp}`;

  // The organizer sets up a free event and invites a door staff member.
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Olive Owner', uniqueEmail('door-org'), 'a-long-enough-password', `Door Org ${stamp}`);
  await new DashboardPage(page).expectOrganization(`Door Org ${stamp}`);
  const editor = new EventEditorPage(page);
  await editor.createEvent({ name: eventName, start: '2031-09-15T18:00', end: '2031-09-15T22:00', capacity: '100' });
  await editor.addTier({ name: 'Community', price: '0', capacity: '20' });
  await editor.publish();
  const eventId = new URL(page.url()).pathname.split('/').pop();
  const eventPath = await page.getByRole('link', { name: 'View public page' }).getAttribute('href');
  const staffEmail = uniqueEmail('door-staff');
  const team = new TeamPage(page);
  await team.goto();
  await team.invite(staffEmail, 'Staff');

  // A guest takes two tickets.
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  const eventPage = new EventTicketsPage(guest);
  await eventPage.goto(eventPath!);
  await eventPage.choose('Community', 2);
  await eventPage.getTickets();
  const checkout = new CheckoutPage(guest);
  await checkout.waitForHydration();
  await checkout.fillBuyer({ name: 'Ada Lovelace', email: uniqueEmail('door-guest') });
  await checkout.fillAttendee(1, { name: 'Grace Hopper' });
  await checkout.placeOrder();
  const confirmation = new OrderConfirmationPage(guest);
  await expect(confirmation.qrCodes()).toHaveCount(2);
  const adaTicket = (await confirmation.tickets().filter({ hasText: 'Ada Lovelace' }).textContent())!.match(/TKT-[A-Z0-9]{8}-\d{6}/)![0];
  await guestContext.close();

  // The staff member accepts from the e-mail with a new account and lands on the door list.
  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  const invitation = new InvitationPage(staff);
  await invitation.openFromMail(staffEmail);
  await invitation.createAccountAndJoin('Sam Door', 'a-long-enough-password');
  await expect(staff).toHaveURL(/\/checkin$/);
  await staff.getByRole('link', { name: eventName }).click();

  // Check-in by typed ticket number, a second scan of it, then by search.
  const door = new DoorPage(staff);
  await door.waitForHydration();
  await expect(door.expected()).toHaveText('2');
  await expect(door.checkedIn()).toHaveText('0');
  await door.enterCode(adaTicket);
  await expect(door.verdict()).toHaveAttribute('data-outcome', 'admitted');
  await expect(door.verdict()).toContainText('Welcome, Ada Lovelace — Community');
  await expect(door.checkedIn()).toHaveText('1');
  await door.enterCode(adaTicket.toLowerCase());
  await expect(door.verdict()).toHaveAttribute('data-outcome', 'already_admitted');
  await expect(door.verdict()).toContainText('by Sam Door');
  await door.admitBySearch('grace', 'Grace Hopper');
  await expect(door.verdict()).toContainText('Welcome, Grace Hopper — Community');
  await expect(door.checkedIn()).toHaveText('2');

  // Nothing of sales, money or settings.
  await staff.goto(`/dashboard/events/${eventId}/orders`);
  await expect(staff.getByRole('heading', { name: 'This area is for organizers' })).toBeVisible();
  await staff.goto('/dashboard/team');
  await expect(staff.getByRole('heading', { name: 'This area is for organizers' })).toBeVisible();
  await staffContext.close();
});
