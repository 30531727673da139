import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from '@playwright/test';
import { expect, test } from './fixtures';
import { LogInPage, SignUpPage } from './pages/account';
import { DashboardPage, EventSalesPage } from './pages/dashboard';
import { DoorPage, InvitationPage, TeamPage, fakeCameraVideo, qrPixels } from './pages/door';
import { EventEditorPage } from './pages/events';
import { CheckoutPage, EventTicketsPage, OrderConfirmationPage } from './pages/orders';
import { uniqueEmail } from './pages/app';

/// A guest buys General tickets at the demo event whose doors are open, one per name (the
/// first name is the buyer); returns their ticket numbers, in the same order.
async function buyAtTheDemoDoor(page: Page, names: string[], emailTag: string): Promise<string[]> {
  await page.goto('/');
  await page.getByRole('link', { name: 'Toronto Product Meetup' }).first().click();
  const eventPage = new EventTicketsPage(page);
  await expect(page.getByRole('heading', { name: 'Tickets' })).toBeVisible();
  await eventPage.choose('General', names.length);
  await eventPage.getTickets();
  const checkout = new CheckoutPage(page);
  await checkout.waitForHydration();
  await checkout.fillBuyer({ name: names[0], email: uniqueEmail(emailTag) });
  for (let i = 1; i < names.length; i++) {
    await checkout.fillAttendee(i, { name: names[i] });
  }
  await checkout.placeOrder();
  const confirmation = new OrderConfirmationPage(page);
  await expect(confirmation.qrCodes()).toHaveCount(names.length);
  const numbers: string[] = [];
  for (const name of names) {
    const text = await confirmation.tickets().filter({ hasText: name }).textContent();
    numbers.push(text!.match(/TKT-[A-Z0-9]{8}-\d{6}/)![0]);
  }
  return numbers;
}

/// The demo door staff logs in (from an address of their own, for the log-in throttle) and
/// opens the demo event's door.
async function openTheDemoDoor(context: BrowserContext, query = ''): Promise<DoorPage> {
  await context.setExtraHTTPHeaders({ 'x-forwarded-for': `198.18.251.${1 + Math.floor(Math.random() * 250)}` });
  const staff = await context.newPage();
  const login = new LogInPage(staff);
  await staff.goto('/login?next=/checkin');
  await login.waitForHydration();
  await login.logIn('door@eventos.dev', 'eventos-demo');
  await expect(staff).toHaveURL(/\/checkin$/);
  await staff.getByRole('link', { name: 'Toronto Product Meetup' }).click();
  await expect(staff).toHaveURL(/\/checkin\/[0-9a-f-]{36}$/);
  if (query) {
    await staff.goto(`${new URL(staff.url()).pathname}${query}`);
  }
  const door = new DoorPage(staff);
  await door.waitForHydration();
  // The door's own part of the page is a lazily loaded chunk: it is live once it has fetched
  // the phone's copy of the tickets.
  await expect(door.offlineStatus()).toContainText(/Ready offline: \d+ tickets/, { timeout: 10_000 });
  return door;
}

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
  const eventId = editor.eventId();
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

  // The organizer's event dashboard shows the door's progress and its latest scans.
  const dashboard = new EventSalesPage(page);
  await dashboard.goto(eventId);
  await expect(dashboard.door().getByTestId('door-progress')).toHaveText('2 / 2');
  await expect(dashboard.door().getByRole('row', { name: /Already checked in/ })).toContainText('Ada Lovelace');
});

test('the camera reads a ticket\'s QR code with the built-in decoder and admits it once', async ({ page }, testInfo) => {
  // A guest takes a ticket for the demo event whose doors are open.
  await buyAtTheDemoDoor(page, ['Camila Camera'], 'camera-guest');

  // Chromium's fake camera shows that QR code; the door forces the WASM decoder.
  const video = join(tmpdir(), `eventos-ticket-${Date.now()}.y4m`);
  writeFileSync(video, fakeCameraVideo(await qrPixels(page, 320), 320));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, permissions: ['camera'] });
    const door = await openTheDemoDoor(context, '?decoder=wasm');
    const staff = door.page;
    await staff.getByRole('button', { name: 'Start camera' }).click();
    await expect(staff.getByTestId('camera-status')).toContainText('built-in decoder');
    await expect(door.verdict()).toContainText('Welcome, Camila Camera — General', { timeout: 20_000 });
    // Held in front of the camera, the same code is not sent again at once.
    await staff.waitForTimeout(1500);
    await expect(door.verdict()).toHaveAttribute('data-outcome', 'admitted');
  } finally {
    await browser.close();
  }
});

test('without the network the door judges from the phone\'s copy, queues the scans and syncs them when it is back', async ({ page, browser }, testInfo) => {
  // A guest takes two tickets for the demo event whose doors are open.
  const tag = Date.now().toString(36);
  const [olgaName, noahName] = [`Olga Offline ${tag}`, `Noah Network ${tag}`];
  const [olga, noah] = await buyAtTheDemoDoor(page, [olgaName, noahName], 'offline-guest');

  // The door staff opens the door while online: the phone keeps its copy of the tickets.
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const door = await openTheDemoDoor(context);
  const before = Number(await door.checkedIn().textContent());

  // The Wi-Fi drops: scans are judged on the phone and wait.
  await context.setOffline(true);
  await door.enterCode(olga);
  await expect(door.verdict()).toHaveAttribute('data-outcome', 'admitted');
  await expect(door.verdict()).toContainText(`Welcome, ${olgaName} — General`);
  await expect(door.verdict()).toContainText('Judged on this phone — offline');
  await expect(door.offlineStatus()).toHaveText('Offline — 1 scan waiting');
  await door.enterCode(olga);
  await expect(door.verdict()).toHaveAttribute('data-outcome', 'already_admitted');
  await expect(door.verdict()).toContainText('on this phone, offline');
  await door.admitBySearch(noahName.toLowerCase(), noahName);
  await expect(door.verdict()).toContainText(`Welcome, ${noahName} — General`);
  await expect(door.offlineStatus()).toHaveText('Offline — 3 scans waiting');

  // The network returns: the scans are sent, and the counter moves.
  await context.setOffline(false);
  await expect(door.offlineStatus()).toContainText('3 scans made offline synced', { timeout: 15_000 });
  await expect(door.checkedIn()).toHaveText(String(before + 2));
  await door.enterCode(noah);
  await expect(door.verdict()).toHaveAttribute('data-outcome', 'already_admitted');
  await expect(door.verdict()).not.toContainText('Judged on this phone');
  await context.close();
});
