import { expect, type Page } from '@playwright/test';
import { AppShell } from './app';
import { latestMessageTo } from './mailbox';

export class SignUpPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(): Promise<void> {
    await this.page.goto('/signup');
    await expect(this.page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  }

  /// Fills in and sends the form, as an organizer.
  async submit(fullName: string, email: string, password: string, organization: string): Promise<void> {
    await this.page.getByLabel('Full name').fill(fullName);
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.page.getByLabel('Organization name').fill(organization);
    await this.page.getByRole('button', { name: 'Create account' }).click();
  }

  /// Signs up and follows the confirmation link from the e-mail, which logs in.
  async signUpAsOrganizer(fullName: string, email: string, password: string, organization: string): Promise<void> {
    await this.submit(fullName, email, password, organization);
    await expect(this.notice()).toContainText('Check your inbox');
    const message = await latestMessageTo(email, '/confirm-email/');
    const link = message.match(/https?:\/\/[^\s"<>]+\/confirm-email\/[A-Za-z0-9_-]+/)?.[0];
    expect(link, 'the e-mail carries the confirmation link').toBeTruthy();
    await this.page.goto(new URL(link!).pathname);
    await this.page.getByRole('button', { name: 'Confirm and log in' }).click();
  }

  notice() {
    return this.page.locator('.auth-card .notice');
  }

  fieldError(label: string) {
    return this.page.locator('.field', { has: this.page.getByLabel(label, { exact: true }) }).locator('.field-error');
  }
}

export class LogInPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(): Promise<void> {
    await this.page.goto('/login');
    await expect(this.page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  }

  passwordInput() {
    return this.page.getByLabel('Password', { exact: true });
  }

  async logIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel('Email').fill(email);
    await this.passwordInput().fill(password);
    await this.page.getByRole('main').getByRole('button', { name: 'Log in' }).click();
  }

  alert() {
    return this.page.locator('.form-alert');
  }
}

export class ProfilePage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(): Promise<void> {
    await this.page.goto('/account/profile');
    await expect(this.page.getByRole('heading', { name: 'Your profile' })).toBeVisible();
  }

  savedNote() {
    return this.page.locator('form', { has: this.page.getByRole('button', { name: 'Save profile' }) }).getByRole('status');
  }

  async save(fields: { company?: string; phone?: string }): Promise<void> {
    if (fields.company !== undefined) await this.page.getByLabel('Company').fill(fields.company);
    if (fields.phone !== undefined) await this.page.getByLabel('Phone').fill(fields.phone);
    await this.page.getByRole('button', { name: 'Save profile' }).click();
  }
}

export class ForgotPasswordPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async request(email: string): Promise<void> {
    await expect(this.page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByRole('button', { name: 'Send the link' }).click();
  }

  status() {
    return this.page.getByRole('status');
  }
}

export class ResetPasswordPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async choose(password: string): Promise<void> {
    await expect(this.page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
    await this.page.getByLabel('New password', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Save and log in' }).click();
  }
}
