import { Secret, TOTP } from 'otpauth';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../api/server.ts';
import { launchBrowser } from '../../infra/testing/browser.ts';
import type { ParsedMail } from '../../infra/testing/maildir.ts';
import { freePort, startSmtpSink, type SmtpSink } from '../../infra/testing/peers.ts';
import { startTestServer } from '../../infra/testing/server.ts';

/**
 * Identity and organisations through the web app, in Chromium, against the real server and a real
 * SMTP sink: every link is opened from the mail it came in. The steps share one story and run in
 * order; a step that fails names the API calls that answered with an error.
 */

const { browser, reason } = await launchBrowser();
const sink = browser ? await startSmtpSink() : undefined;
if (reason) console.log(`identity e2e skipped: ${reason}`);
else if (sink?.reason) console.log(`identity e2e skipped: ${sink.reason}`);

const owner = { email: 'ada.owner@example.com', firstName: 'Ada', lastName: 'Lovelace', organization: 'Analytical Engines Ltd', password: 'plum-Kettle-41-sailing' };
const viewer = { email: 'grace.viewer@example.com', firstName: 'Grace', password: 'harbour-Lantern-73-ferry' };

const STEP_MS = 60_000;
const MAIL_WAIT_MS = 20_000;

describe.runIf(browser && sink?.peer)('identity and organisations in the web app', () => {
  const smtp = sink?.peer as SmtpSink;
  let server: RunningServer;
  let ownerContext: BrowserContext;
  let viewerContext: BrowserContext;
  let page: Page;
  let viewerPage: Page;
  let totpSecret: string;
  /** The TOTP time step already used (a code is accepted once). */
  let usedStep = -1;
  /** Every API answer of 400 and above, and every page error, in order: printed when a step fails. */
  const problems: string[] = [];

  function watch(target: Page, who: string) {
    target.on('pageerror', (error) => problems.push(`[${who}] page error: ${error.message}`));
    target.on('response', async (response) => {
      const url = new URL(response.url());
      if (url.origin !== server.url || response.status() < 400) return;
      // Every page asks who is signed in; nobody being signed in is an answer, not a failure.
      if (url.pathname === '/api/me' && response.status() === 401) return;
      const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
      problems.push(`[${who}] ${response.request().method()} ${url.pathname} → ${response.status()} ${body?.error?.code ?? ''} ${body?.error?.message ?? ''}`.trim());
    });
  }

  beforeAll(async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    server = await startTestServer({ PORT: String(port), PUBLIC_URL: url, SMTP_URL: smtp.url });
    ownerContext = await browser!.newContext();
    viewerContext = await browser!.newContext();
    page = await ownerContext.newPage();
    viewerPage = await viewerContext.newPage();
    watch(page, 'owner');
    watch(viewerPage, 'viewer');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.stop();
  });

  beforeEach(({ onTestFailed }) => {
    const before = problems.length;
    onTestFailed(() => {
      const seen = problems.slice(before);
      console.log(seen.length ? `API errors and page errors during this step:\n  ${seen.join('\n  ')}` : 'No API call failed during this step.');
    });
  });

  /** The first link to `path` in a mail to `to`, waiting for the mail worker to deliver it. */
  async function linkFromMail(to: string, path: string): Promise<string> {
    const prefix = `${server.url}${path}?`;
    const deadline = Date.now() + MAIL_WAIT_MS;
    let mails: ParsedMail[] = [];
    while (Date.now() < deadline) {
      mails = await smtp.messages();
      for (const mail of mails) {
        if (!(mail.headers.get('to') ?? '').toLowerCase().includes(to.toLowerCase())) continue;
        const link = (mail.text ?? '').split(/\s+/).find((word) => word.startsWith(prefix));
        if (link) return link;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const seen = mails.map((m) => `${m.headers.get('to')}: ${m.headers.get('subject')}`).join('; ') || 'none';
    throw new Error(`no mail to ${to} with a link to ${path} arrived within ${MAIL_WAIT_MS / 1000} s (mails in the sink: ${seen})`);
  }

  const at = (target: Page, path: string) => target.waitForURL((url) => url.pathname === path, { timeout: 15_000 });
  const header = (target: Page) => target.getByRole('banner');

  async function signOut(target: Page) {
    await header(target).getByRole('button', { name: 'Sign out' }).click();
    await at(target, '/login');
  }

  async function signIn(target: Page, email: string, password: string) {
    await target.goto(`${server.url}/login`);
    await target.getByLabel('E-mail address').fill(email);
    await target.getByLabel('Password', { exact: true }).fill(password);
    await target.getByRole('button', { name: 'Sign in' }).click();
  }

  /** A code for a time step not used yet: this one, or (within the server's one-step window) the next. */
  function nextCode(): string {
    const totp = new TOTP({ secret: Secret.fromBase32(totpSecret), digits: 6, period: 30, algorithm: 'SHA1' });
    const step = Math.max(Math.floor(Date.now() / 30_000), usedStep + 1);
    usedStep = step;
    return totp.generate({ timestamp: step * 30_000 });
  }

  it(
    'signs up with the form, the time zone defaulting to the browser’s',
    async () => {
      await page.goto(`${server.url}/signup`);
      await page.getByLabel('E-mail address').fill(owner.email);
      await page.getByLabel('First name (optional)').fill(owner.firstName);
      await page.getByLabel('Last name (optional)').fill(owner.lastName);
      await page.getByLabel('Organisation name').fill(owner.organization);
      await page.getByLabel('Password', { exact: true }).fill(owner.password);
      await expect.poll(() => page.getByText('At least 12 characters').first().isVisible()).toBe(true);
      const browserZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
      expect(await page.getByLabel('Time zone').inputValue()).toBe(browserZone);
      await page.getByRole('button', { name: 'Create account' }).click();

      // Sign-up answers alike whether or not the address has an account: nobody is signed in yet.
      await expect.poll(() => page.getByRole('heading', { name: 'Check your e-mail' }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.getByRole('main').getByText(`We sent a link to ${owner.email}`).isVisible()).toBe(true);
      expect(await header(page).getByText('Ada Lovelace').count()).toBe(0);
    },
    STEP_MS,
  );

  it(
    'opens the link from the mail, which verifies the address and signs in to the new organisation',
    async () => {
      const link = await linkFromMail(owner.email, '/verify-email');
      await page.goto(link);
      await at(page, '/');
      await expect.poll(() => header(page).getByText('Ada Lovelace').isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await header(page).getByLabel('Organisation').inputValue()).not.toBe('');
      // Verified: no banner.
      expect(await page.getByText('Verify your e-mail address — we sent a link').count()).toBe(0);
    },
    STEP_MS,
  );

  it(
    'signs in with e-mail and password',
    async () => {
      await signOut(page);
      await signIn(page, owner.email, owner.password);
      await at(page, '/');
      await expect.poll(() => header(page).getByText('Ada Lovelace').isVisible()).toBe(true);
      // Verified now: no banner.
      expect(await page.getByText('Verify your e-mail address — we sent a link').count()).toBe(0);
    },
    STEP_MS,
  );

  it(
    'turns on MFA with a code computed from the secret on the page, and shows the recovery codes once',
    async () => {
      await header(page).getByRole('link', { name: 'Account', exact: true }).click();
      await at(page, '/account');
      await page.getByRole('link', { name: 'Two-factor authentication' }).click();
      await at(page, '/account/security');
      await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();

      const secret = page.getByTestId('mfa-secret');
      await secret.waitFor({ timeout: 10_000 });
      totpSecret = (await secret.textContent())!.replace(/\s/g, '');
      expect(totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
      const qr = page.getByRole('img', { name: /QR code/ });
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);

      await page.getByLabel('Authentication code').fill(nextCode());
      await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();

      await expect.poll(() => page.getByRole('heading', { name: 'Store your recovery codes now' }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.getByTestId('recovery-codes').getByRole('listitem').count()).toBe(10);
      const done = page.getByRole('button', { name: 'Done' });
      expect(await done.isDisabled()).toBe(true);
      await page.getByLabel('I have stored my recovery codes').check();
      await done.click();
      await expect.poll(() => page.getByRole('heading', { name: 'Two-factor authentication is on' }).isVisible()).toBe(true);
    },
    STEP_MS,
  );

  it(
    'signs out, and signs in again with a code from the authenticator',
    async () => {
      await signOut(page);
      await signIn(page, owner.email, owner.password);
      await expect.poll(() => page.getByRole('heading', { name: 'Two-factor authentication' }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.getByLabel('Authentication code').getAttribute('autocomplete')).toBe('one-time-code');
      await page.getByLabel('Authentication code').fill(nextCode());
      await page.getByRole('button', { name: 'Verify' }).click();
      await at(page, '/');
      await expect.poll(() => header(page).getByText('Ada Lovelace').isVisible()).toBe(true);

      // The sign-ins are in the history, newest first.
      await page.goto(`${server.url}/account/sessions`);
      const history = page.getByTestId('sign-ins');
      await expect.poll(() => history.getByRole('row').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
      expect(await history.getByRole('row').nth(1).getByRole('cell').nth(1).textContent()).toBe('Signed in');
    },
    STEP_MS,
  );

  it(
    'invites a second person as a viewer',
    async () => {
      await header(page).getByRole('link', { name: 'Members' }).click();
      await at(page, '/org/members');
      await expect.poll(() => page.getByRole('heading', { name: `Members of ${owner.organization}` }).isVisible(), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => page.getByRole('cell', { name: owner.email }).isVisible()).toBe(true);

      await page.getByLabel('E-mail address').fill(viewer.email);
      await page.getByLabel('Role', { exact: true }).selectOption('viewer');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await expect.poll(() => page.getByText(`We sent an invitation to ${viewer.email}`).isVisible(), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => page.getByRole('table', { name: 'Pending invitations' }).getByRole('cell', { name: viewer.email }).isVisible()).toBe(true);
    },
    STEP_MS,
  );

  it(
    'the invited person opens the link from the mail and creates their account',
    async () => {
      const link = await linkFromMail(viewer.email, '/invitations/accept');
      await viewerPage.goto(link);
      await expect.poll(() => viewerPage.getByRole('heading', { name: owner.organization }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await viewerPage.getByLabel('E-mail address').inputValue()).toBe(viewer.email);
      await viewerPage.getByLabel('First name (optional)').fill(viewer.firstName);
      await viewerPage.getByLabel('Password', { exact: true }).fill(viewer.password);
      await viewerPage.getByRole('button', { name: 'Create account and join' }).click();

      await at(viewerPage, '/org/members');
      await expect.poll(() => viewerPage.getByText('Your role here: Viewer').isVisible(), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => header(viewerPage).getByText(viewer.firstName).isVisible()).toBe(true);
    },
    STEP_MS,
  );

  it(
    'as a viewer, trying to invite someone is refused with a clear message',
    async () => {
      await viewerPage.getByLabel('E-mail address').fill('someone.else@example.com');
      await viewerPage.getByRole('button', { name: 'Send invitation' }).click();
      const refusal = viewerPage.getByRole('alert').filter({ hasText: /viewer/i });
      await expect.poll(() => refusal.isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await refusal.textContent()).toMatch(/does not allow|not allowed|cannot/i);
      expect(problems.some((p) => /POST \/api\/orgs\/[^/]+\/invitations → 403/.test(p))).toBe(true);
    },
    STEP_MS,
  );
});
