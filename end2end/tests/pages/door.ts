import { expect, type Locator, type Page } from '@playwright/test';
import { AppShell } from './app';
import { latestMessageTo } from './mailbox';

/// `/dashboard/team`: members, invitations and door staff.
export class TeamPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(): Promise<void> {
    await this.page.goto('/dashboard/team');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Team' })).toBeVisible();
    await this.waitForHydration();
  }

  async invite(email: string, role: 'Staff' | 'Admin', access?: string): Promise<void> {
    const form = this.page.locator('form', { has: this.page.getByRole('button', { name: 'Send invitation' }) });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption({ label: role });
    if (access) await form.getByLabel('Access').selectOption({ label: access });
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await expect(this.page.getByRole('listitem').filter({ hasText: email })).toBeVisible();
  }
}

/// `/invitations/{token}`, reached from the invitation e-mail.
export class InvitationPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  /// Opens the link from the newest invitation e-mail to `email`.
  async openFromMail(email: string): Promise<void> {
    const message = await latestMessageTo(email, '/invitations/');
    const link = message.match(/https?:\/\/[^\s"<>]+\/invitations\/[A-Za-z0-9_-]+/)?.[0];
    expect(link, 'the e-mail carries the invitation link').toBeTruthy();
    await this.page.goto(new URL(link!).pathname);
    await this.waitForHydration();
  }

  async createAccountAndJoin(fullName: string, password: string): Promise<void> {
    await this.page.getByLabel('Full name').fill(fullName);
    await this.page.getByLabel('Choose a password', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Create account and join' }).click();
  }
}

/// `/checkin/{event}`: the door on a phone.
export class DoorPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  verdict(): Locator {
    return this.page.locator('.verdict');
  }

  checkedIn(): Locator {
    return this.page.getByTestId('checked-in');
  }

  expected(): Locator {
    return this.page.getByTestId('expected');
  }

  /// Types or pastes a code and sends it with Enter, as a keyboard-wedge scanner does.
  async enterCode(code: string): Promise<void> {
    await this.page.getByRole('tab', { name: 'Scan' }).click();
    const input = this.page.getByLabel('Ticket code');
    await input.fill(code);
    await input.press('Enter');
  }

  async admitBySearch(query: string, name: string): Promise<void> {
    await this.page.getByRole('tab', { name: 'Search' }).click();
    await this.page.getByLabel('Name, e-mail, order or ticket number').fill(query);
    const hit = this.page.locator('.door-hit').filter({ hasText: name });
    await hit.getByRole('button', { name: 'Admit' }).click();
  }
}
