import { expect, test } from './fixtures';
import { ForgotPasswordPage, LogInPage, ProfilePage, ResetPasswordPage, SignUpPage } from './pages/account';
import { latestMessageTo } from './pages/mailbox';
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

test('sign-up explains each bad field, and a taken address only hears "check your inbox"', async ({ page }) => {
  const email = uniqueEmail('taken');
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Tess Taken', email, PASSWORD, 'Taken Events');
  await new DashboardPage(page).expectOrganization('Taken Events');
  await signUp.logOut();

  await signUp.goto();
  await signUp.submit('', 'not-an-email', 'short', '');
  await expect(signUp.fieldError('Full name')).toHaveText('Enter your full name.');
  await expect(signUp.fieldError('Email')).toHaveText('Enter an email address like name@example.com.');
  await expect(signUp.fieldError('Password')).toHaveText('Use at least 10 characters.');
  await expect(signUp.fieldError('Organization name')).toHaveText("Enter your organization's name.");

  // Whether an address has an account is not told to whoever types it; its owner is e-mailed.
  await signUp.submit('Tess Again', email.toUpperCase(), PASSWORD, 'Second Org');
  await expect(signUp.notice()).toContainText('Check your inbox');
  await expect(page).toHaveURL(/\/signup\?check=inbox/);
  await expect(signUp.nav().getByRole('link', { name: 'Log in' })).toBeVisible();
  await expect(signUp.fieldError('Email')).toHaveCount(0);
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
  // Both again: a save sent before the form hydrated comes back as a fresh page.
  await profile.save({ company: 'Profile Partners Ltd', phone: '416-555-0199' });
  await expect(profile.savedNote()).toHaveText('Your profile is saved.');
  await profile.goto();
  await expect(page.getByLabel('Company')).toHaveValue('Profile Partners Ltd');
  await expect(page.getByLabel('Phone')).toHaveValue('416-555-0199');
});

test('a forgotten password: the link arrives by e-mail, sets a new password and logs in', async ({ page }) => {
  const email = uniqueEmail('forgetful');
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Fiona Forgetful', email, PASSWORD, 'Forgetful Events');
  await new DashboardPage(page).expectOrganization('Forgetful Events');
  await signUp.logOut();

  const logIn = new LogInPage(page);
  await logIn.goto();
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  const forgot = new ForgotPasswordPage(page);
  await forgot.request(email);
  await expect(forgot.status()).toContainText('a link to choose a new password is on its way');

  const message = await latestMessageTo(email, '/reset-password/');
  const link = message.match(/https?:\/\/[^\s"<>]+\/reset-password\/[A-Za-z0-9_-]+/)?.[0];
  expect(link, 'the e-mail carries the reset link').toBeTruthy();
  await page.goto(new URL(link!).pathname);
  await new ResetPasswordPage(page).choose('a-fresh-new-password');
  await new DashboardPage(page).expectOrganization('Forgetful Events');

  await logIn.logOut();
  await logIn.goto();
  await logIn.logIn(email, 'a-fresh-new-password');
  await new DashboardPage(page).expectOrganization('Forgetful Events');
});
