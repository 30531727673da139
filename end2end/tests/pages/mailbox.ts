import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';

/// The folder the server writes messages to when it has no SMTP server (scripts/test passes it).
function mailboxDir(): string {
  const dir = process.env.MAILBOX_DIR;
  if (!dir) throw new Error('MAILBOX_DIR is not set: run the browser tests through scripts/test');
  return dir;
}

/// A message as text, with quoted-printable folding undone so links read whole.
function readMessage(path: string): string {
  return readFileSync(path, 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
}

/// The newest message to `recipient` whose text contains `marker`, waiting for the outbox worker.
export async function latestMessageTo(recipient: string, marker: string): Promise<string> {
  let found = '';
  await expect
    .poll(
      () => {
        // The server makes the folder with its first message.
        if (!existsSync(mailboxDir())) return false;
        const messages = readdirSync(mailboxDir())
          .filter((name) => name.endsWith('.eml'))
          .map((name) => join(mailboxDir(), name))
          .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
          .map(readMessage)
          .filter((text) => text.includes(`To: ${recipient}`) && text.includes(marker));
        found = messages[0] ?? '';
        return found.length > 0;
      },
      { timeout: 15_000, message: `a message to ${recipient}` },
    )
    .toBe(true);
  return found;
}
