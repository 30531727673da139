import { expect, test } from './fixtures';
import { SignUpPage } from './pages/account';
import { AssistantPage, TaskBoardPage } from './pages/assistant';
import { DashboardPage } from './pages/dashboard';
import { PublicHomePage } from './pages/events';
import { uniqueEmail } from './pages/app';

test('an organizer creates and publishes an event by chatting with the built-in assistant', async ({ page }) => {
  const stamp = Date.now();
  const organization = `Chatty Org ${stamp}`;
  const name = `Chat Summit ${stamp}`;
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.waitForHydration();
  await signUp.signUpAsOrganizer('Ada Assistant', uniqueEmail('assistant-org'), 'a-long-enough-password', organization);
  await new DashboardPage(page).expectOrganization(organization);

  const assistant = new AssistantPage(page);
  await assistant.start();
  await assistant.send(
    `Create a conference called ${name} on March 12, 2031, 9am–5pm at the Metro Toronto Convention Centre ` +
      'for 500 people, general admission $299, VIP $599',
  );
  // The draft fills in beside the chat, times read back with their offset.
  await expect(assistant.field('preview-name')).toHaveText(name);
  await expect(assistant.field('preview-when')).toHaveText('Wed 12 Mar 2031, 09:00–17:00 EDT (UTC−4)');
  await expect(assistant.field('preview-capacity')).toHaveText('500');
  await expect(assistant.field('preview-tiers')).toContainText('VIP — $599.00 CAD');
  await expect(assistant.lastReply()).toContainText('Added tier VIP — $599.00 CAD');
  // A venue the organization does not have yet: one short question for its address.
  await expect(assistant.lastReply()).toContainText('street address');
  await assistant.send('255 Front St W, Toronto');
  await expect(assistant.venue()).toHaveText('Metro Toronto Convention Centre');

  await assistant.send('make it 600 people');
  await expect(assistant.field('preview-capacity')).toHaveText('600');
  await expect(assistant.lastReply()).toContainText('Changed capacity from 500 to 600');

  // Publishing waits for the organizer's click on the card.
  await assistant.send('Looks good — publish it');
  await expect(assistant.card()).toContainText('Waiting for you');
  await expect(assistant.card()).toContainText(`Publish “${name}”`);
  await assistant.confirm();
  await expect(assistant.preview()).toContainText('Published');

  await assistant.send('generate the planning tasks');
  await expect(assistant.lastReply()).toContainText('planning tasks');
  const eventId = await assistant.eventId();

  const home = new PublicHomePage(page);
  await home.search(name);
  await expect(home.eventCards()).toHaveCount(1);
  await home.eventCards().first().getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByText('General Admission').first()).toBeVisible();
  await expect(page.getByText('VIP').first()).toBeVisible();

  const board = new TaskBoardPage(page);
  await board.goto(eventId);
  await expect(board.column('To do').getByTestId('task').first()).toBeVisible();
  expect(await board.tasks().count()).toBeGreaterThan(8);
});
