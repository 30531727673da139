import { expect, test } from '@playwright/test';
import { LogInPage, ProfilePage, SignUpPage } from './pages/account';
import { DashboardPage } from './pages/dashboard';
import { uniqueEmail } from './pages/app';

const PASSWORD = 'a-long-enough-password';

test('an organizer signs up, lands on the empty dashboard, logs out and logs back in', async ({ page }) => {
  const email = uniqueEmail('organizer');
  const organization = `Harbourfront Summits ${Date.now()}`;

  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Olivia Organizer', email, PASSWORD, organization);

  const dashboard = new DashboardPage(page);
  await dashboard.expectOrganization(organization);
  await expect(dashboard.emptyEvents()).toBeVisible();
  await expect(dashboard.nav()).toContainText('Olivia Organizer');

  await dashboard.logOut();
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login\?next=\/dashboard/);

  const logIn = new LogInPage(page);
  await logIn.logIn(email, PASSWORD);
  await dashboard.expectOrganization(organization);
});

test('a wrong password is refused with a message and no session', async ({ page }) => {
  const email = uniqueEmail('wrong-password');
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Wanda Wrong', email, PASSWORD, 'Wrong Password Inc');
  await new DashboardPage(page).expectOrganization('Wrong Password Inc');
  await signUp.logOut();

  const logIn = new LogInPage(page);
  await logIn.goto();
  await logIn.logIn(email, 'not-the-password');
  await expect(logIn.alert()).toContainText('That email and password do not match an account.');
  await expect(page).toHaveURL(/\/login/);
  await expect(logIn.nav().getByRole('link', { name: 'Log in' })).toBeVisible();
});

test('the login page hydrates: the show-password button reveals what was typed', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });

  const logIn = new LogInPage(page);
  await logIn.goto();
  await logIn.waitForHydration();
  await logIn.passwordInput().fill('secret-words');
  await expect(logIn.passwordInput()).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show password' }).click();
  await expect(logIn.passwordInput()).toHaveAttribute('type', 'text');
  await expect(page.getByRole('button', { name: 'Hide password' })).toHaveAttribute('aria-pressed', 'true');
  expect(errors).toEqual([]);
});

test('sign-up explains each bad field next to it and creates nothing', async ({ page }) => {
  const email = uniqueEmail('taken');
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Tess Taken', email, PASSWORD, 'Taken Events');
  await new DashboardPage(page).expectOrganization('Taken Events');
  await signUp.logOut();

  await signUp.goto();
  await signUp.signUpAsOrganizer('', 'not-an-email', 'short', '');
  await expect(signUp.fieldError('Full name')).toHaveText('Enter your full name.');
  await expect(signUp.fieldError('Email')).toHaveText('Enter an email address like name@example.com.');
  await expect(signUp.fieldError('Password')).toHaveText('Use at least 10 characters.');
  await expect(signUp.fieldError('Organization name')).toHaveText("Enter your organization's name.");

  await signUp.signUpAsOrganizer('Tess Again', email.toUpperCase(), PASSWORD, 'Second Org');
  await expect(signUp.fieldError('Email')).toHaveText('An account with this email already exists. Log in instead.');
  await expect(page).toHaveURL(/\/signup/);
});

test('a member edits their profile and sees it saved', async ({ page }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Pat Profile', uniqueEmail('profile'), PASSWORD, 'Profile Partners');
  await new DashboardPage(page).expectOrganization('Profile Partners');

  const profile = new ProfilePage(page);
  await profile.goto();
  await profile.waitForHydration();
  await profile.save({ company: 'Profile Partners Ltd', phone: 'call me maybe' });
  await expect(page.getByText('Enter a phone number like 416-555-0123.')).toBeVisible();
  await profile.save({ phone: '416-555-0199' });
  await expect(page.getByRole('status')).toHaveText('Your profile is saved.');
  await profile.goto();
  await expect(page.getByLabel('Company')).toHaveValue('Profile Partners Ltd');
  await expect(page.getByLabel('Phone')).toHaveValue('416-555-0199');
});
