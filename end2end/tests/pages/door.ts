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

  /// "Ready offline: 40 tickets", "Offline — 2 scans waiting", "2 scans made offline synced".
  offlineStatus(): Locator {
    return this.page.locator('.door-offline');
  }

  async admitBySearch(query: string, name: string): Promise<void> {
    await this.page.getByRole('tab', { name: 'Search' }).click();
    await this.page.getByLabel('Name, e-mail, order or ticket number').fill(query);
    const hit = this.page.locator('.door-hit').filter({ hasText: name });
    await hit.getByRole('button', { name: 'Admit' }).click();
  }
}

/// A video file Chromium plays as its camera: one frame showing `rgba` (a `size`×`size`
/// picture, e.g. a ticket's QR code) on white, in the YUV4MPEG2 format of
/// `--use-file-for-fake-video-capture`.
export function fakeCameraVideo(rgba: number[], size: number): Buffer {
  const width = 640;
  const height = 480;
  const luma = Buffer.alloc(width * height, 235);
  const left = Math.floor((width - size) / 2);
  const top = Math.floor((height - size) / 2);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const grey = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
      luma[(top + y) * width + left + x] = 16 + Math.round((grey * 219) / 255);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\nFRAME\n`);
  return Buffer.concat([header, luma, chroma, chroma]);
}

/// The pixels of the first QR code on the page, drawn `size` pixels wide, as RGBA values.
export async function qrPixels(page: Page, size: number): Promise<number[]> {
  const svg = await page.getByRole('img', { name: /^QR code for ticket TKT-/ }).first().evaluate((el) => {
    const node = el.tagName.toLowerCase() === 'svg' ? el : el.querySelector('svg') ?? el;
    return new XMLSerializer().serializeToString(node);
  });
  return page.evaluate(
    async ({ svg, size }) => {
      const image = new Image();
      image.src = 'data:image/svg+xml;base64,' + btoa(svg);
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = size;
      canvas.height = size;
      const context = canvas.getContext('2d')!;
      context.fillStyle = '#fff';
      context.fillRect(0, 0, size, size);
      context.drawImage(image, 0, 0, size, size);
      return Array.from(context.getImageData(0, 0, size, size).data);
    },
    { svg, size },
  );
}
