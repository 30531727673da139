import { expect, type Locator, type Page } from '@playwright/test';
import { AppShell } from './app';

/** `/dashboard/assistant` and one conversation: the chat, the draft's preview, the cards. */
export class AssistantPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  /** Starts a conversation from the assistant's home and waits for its page. */
  async start(): Promise<void> {
    await this.page.goto('/dashboard/assistant');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Assistant' })).toBeVisible();
    await this.waitForHydration();
    await this.page.getByTestId('new-conversation').click();
    await expect(this.page).toHaveURL(/\/dashboard\/assistant\/[0-9a-f-]{36}$/);
    await expect(this.preview()).toBeVisible();
  }

  /** Sends a message and waits for the assistant's reply to it. */
  async send(text: string): Promise<void> {
    const replies = this.assistantMessages();
    const before = await replies.count();
    await this.page.getByTestId('chat-input').fill(text);
    await this.page.getByRole('button', { name: 'Send' }).click();
    await expect(replies).toHaveCount(before + 1);
  }

  assistantMessages(): Locator {
    return this.page.locator('.chat-message.from-assistant:not(.typing)');
  }

  lastReply(): Locator {
    return this.assistantMessages().last();
  }

  preview(): Locator {
    return this.page.getByTestId('draft-preview');
  }

  field(testId: 'preview-name' | 'preview-when' | 'preview-capacity' | 'preview-tiers'): Locator {
    return this.page.getByTestId(testId);
  }

  venue(): Locator {
    return this.preview().locator('dt', { hasText: 'Venue' }).locator('xpath=following-sibling::dd[1]');
  }

  card(): Locator {
    return this.page.getByTestId('confirm-card').last();
  }

  async confirm(): Promise<void> {
    await this.card().getByRole('button', { name: 'Confirm' }).click();
    await expect(this.card().getByText('Done')).toBeVisible();
  }

  /** The id of the event the conversation built. */
  async eventId(): Promise<string> {
    const href = await this.preview().getByRole('link', { name: 'Open the event' }).getAttribute('href');
    const id = href?.match(/\/dashboard\/events\/([0-9a-f-]{36})\/edit$/)?.[1];
    expect(id, 'the preview links to the event').toBeTruthy();
    return id!;
  }
}

/** `/dashboard/events/{id}/tasks`: the planning board. */
export class TaskBoardPage extends AppShell {
  constructor(page: Page) {
    super(page);
  }

  async goto(eventId: string): Promise<void> {
    await this.page.goto(`/dashboard/events/${eventId}/tasks`);
    await expect(this.page.getByRole('heading', { level: 1, name: 'Planning tasks' })).toBeVisible();
  }

  column(name: 'To do' | 'In progress' | 'Done'): Locator {
    return this.page.getByRole('region', { name });
  }

  tasks(): Locator {
    return this.page.getByTestId('task');
  }
}
