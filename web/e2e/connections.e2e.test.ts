import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../api/server.ts';
import { verifiedOwner, type Owner } from '../../api/testing/organizations.ts';
import { launchBrowser } from '../../infra/testing/browser.ts';
import { freePort, startMoto } from '../../infra/testing/peers.ts';
import { startTestServer } from '../../infra/testing/server.ts';

/**
 * AWS connections and scans through the web app, in Chromium, against the real server with moto
 * standing in for AWS: connect an account by role, scan it, follow the scan live, find it in the
 * history; then connect a second account by an IAM user's access keys and do the same. The steps
 * share one story and run in order; a failing step names the API calls that answered with an error.
 */

const { browser, reason } = await launchBrowser();
const moto = browser ? await startMoto() : undefined;
if (reason) console.log(`connections e2e skipped: ${reason}`);
else if (moto?.reason) console.log(`connections e2e skipped: ${moto.reason}`);

/** moto lets a role be assumed into any account id: this one stands for the customer's. */
const ACCOUNT_ID = '210987654321';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/CloudventoryReadOnly`;
const CONNECTION_NAME = 'Production';

/**
 * The access-keys path connects another account (an account can be connected only once): moto
 * answers GetCallerIdentity for an IAM user's key with the account the user was created in.
 */
const KEYS_ACCOUNT_ID = '345678901234';
const KEYS_CONNECTION_NAME = 'Staging';
const KEYS_USER = 'cloudventory-reader';

const STEP_MS = 60_000;
const SCAN_MS = 45_000;

describe.runIf(browser && moto?.peer)('AWS connections and scans in the web app', () => {
  let server: RunningServer;
  let owner: Owner;
  let context: BrowserContext;
  let page: Page;
  let connectionPath: string;
  /** Every API answer of 400 and above, and every page error, in order: printed when a step fails. */
  const problems: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    server = await startTestServer({ PORT: String(port), PUBLIC_URL: url, AWS_ENDPOINT_URL: moto!.peer!.url });
    // Signed up and verified through the API (connecting an account needs a verified address), then the browser takes the session.
    owner = await verifiedOwner(server);
    context = await browser!.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    await context.addCookies([...owner.client.cookies].map(([name, value]) => ({ name, value, url })));
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', async (response) => {
      const at = new URL(response.url());
      if (at.origin !== server.url || response.status() < 400) return;
      const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
      problems.push(`${response.request().method()} ${at.pathname} → ${response.status()} ${body?.error?.code ?? ''} ${body?.error?.message ?? ''}`.trim());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await moto?.peer?.stop();
  });

  beforeEach(({ onTestFailed }) => {
    const before = problems.length;
    onTestFailed(() => {
      const seen = problems.slice(before);
      console.log(seen.length ? `API errors and page errors during this step:\n  ${seen.join('\n  ')}` : 'No API call failed during this step.');
    });
  });

  const at = (path: string | RegExp) => page.waitForURL((url) => (typeof path === 'string' ? url.pathname === path : path.test(url.pathname)), { timeout: 15_000 });

  /** "Scan now" on a connection's page: the progress bar reaches 100 % and every partition has an outcome. */
  async function scanNowToCompletion(): Promise<void> {
    await page.getByRole('button', { name: 'Scan now' }).click();
    await at(/^\/scans\/[^/]+$/);
    const bar = page.getByRole('progressbar', { name: 'Scan progress' });
    await bar.waitFor({ timeout: 10_000 });
    expect(await bar.getAttribute('aria-valuemin')).toBe('0');
    expect(await bar.getAttribute('aria-valuemax')).toBe('100');
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: SCAN_MS, interval: 250 }).toBe('100');
    await expect.poll(() => page.getByRole('heading', { name: 'Summary' }).isVisible(), { timeout: 10_000 }).toBe(true);
    // Every partition of the one region (and the global ones) has an outcome; none is left pending.
    const rows = page.getByRole('table', { name: 'Each region and service of the scan' }).getByRole('row');
    expect(await rows.count()).toBeGreaterThan(1);
    expect(await rows.getByText('Pending', { exact: true }).count()).toBe(0);
    expect(await rows.getByText('eu-west-1').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Cancel scan' }).count()).toBe(0);
  }

  /** From the scan's page back to its connection: the scan heads the history, and the freshness table is filled. */
  async function expectScanInHistory(connectionName: string, connectionPath: string): Promise<void> {
    const scanPath = new URL(page.url()).pathname;
    await page.getByRole('link', { name: `← ${connectionName}` }).click();
    await at(connectionPath);
    const history = page.getByTestId('scan-history');
    await expect.poll(() => history.getByRole('row').count(), { timeout: 10_000 }).toBe(2);
    const link = history.getByRole('row').nth(1).getByRole('link');
    expect(await link.getAttribute('href')).toBe(scanPath);
    expect(['Completed', 'Partial']).toContain((await link.textContent())?.trim());
    expect(await page.getByText('Never scanned: Cloudventory knows nothing about this account yet.').count()).toBe(0);
    await expect.poll(() => page.getByRole('table', { name: 'Last complete view of each resource type in each region' }).getByText('EC2 instances').first().isVisible()).toBe(true);
  }

  it(
    'shows the empty state, reached from the main navigation',
    async () => {
      await page.goto(`${server.url}/`);
      await page.getByRole('banner').getByRole('link', { name: 'Connections' }).click();
      await at('/connections');
      await expect.poll(() => page.getByRole('heading', { name: 'No AWS account connected yet' }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.getByText('gives Cloudventory read-only access to one AWS account').isVisible()).toBe(true);
    },
    STEP_MS,
  );

  it(
    'adds a role connection with the wizard, copying the external id on the way',
    async () => {
      await page.getByRole('link', { name: 'Add connection' }).click();
      await at('/connections/new');
      expect(await page.getByLabel('IAM role (recommended)').isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Continue' }).click();

      // The role to create: external id, trust policy and template, each with a Copy button.
      const externalId = page.locator('#external-id');
      await externalId.waitFor({ timeout: 10_000 });
      const id = (await externalId.textContent())!.trim();
      expect(id.length).toBeGreaterThan(8);
      expect(await page.locator('#trust-policy').textContent()).toContain(id);
      expect(await page.locator('#cloudformation').textContent()).toContain(id);
      const copy = page.getByRole('button', { name: 'Copy', exact: true }).first();
      await copy.click();
      await expect.poll(() => page.getByText('Copied to the clipboard.').isVisible()).toBe(true);
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(id);

      await page.getByLabel('Name').fill(CONNECTION_NAME);
      await page.getByLabel('Role ARN').fill(ROLE_ARN);
      // One region keeps the scan short.
      await page.getByLabel('Only these regions:').check();
      await page.getByLabel('eu-west-1').check();
      await page.getByRole('button', { name: 'Connect account' }).click();

      await at(/^\/connections\/(?!new$)[^/]+$/);
      connectionPath = new URL(page.url()).pathname;
      expect(connectionPath).not.toBe('/connections/new');
      await expect.poll(() => page.getByRole('heading', { name: CONNECTION_NAME, level: 1 }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.getByText(ACCOUNT_ID, { exact: true }).isVisible()).toBe(true);
      expect(await page.getByText(ROLE_ARN).isVisible()).toBe(true);
      await expect.poll(() => page.getByText('Never scanned: Cloudventory knows nothing about this account yet.').isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.getByText('No scan yet.').isVisible()).toBe(true);
    },
    STEP_MS,
  );

  it(
    'lists the connection',
    async () => {
      await page.getByRole('link', { name: '← AWS connections' }).click();
      await at('/connections');
      const table = page.getByRole('table', { name: 'AWS connections' });
      await expect.poll(() => table.getByRole('link', { name: CONNECTION_NAME }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await table.getByText(ACCOUNT_ID).isVisible()).toBe(true);
      expect(await table.getByRole('cell', { name: 'eu-west-1' }).isVisible()).toBe(true);
      await table.getByRole('link', { name: CONNECTION_NAME }).click();
      await at(connectionPath);
    },
    STEP_MS,
  );

  it(
    'scans now and watches the progress reach 100 %',
    async () => {
      // A running scan is followed through the server's event stream (polling is only the fallback);
      // a scan that finished before the page loaded needs no stream at all.
      const streams: Array<{ status: number; type: string }> = [];
      page.on('response', (response) => {
        if (/\/api\/orgs\/[^/]+\/scans\/[^/]+\/events$/.test(new URL(response.url()).pathname)) streams.push({ status: response.status(), type: response.headers()['content-type'] ?? '' });
      });
      await scanNowToCompletion();
      for (const stream of streams) expect(stream).toEqual({ status: 200, type: expect.stringMatching(/^text\/event-stream/) });
    },
    STEP_MS,
  );

  it(
    'finds the scan in the connection’s history, and the inventory no longer never scanned',
    async () => {
      await expectScanInHistory(CONNECTION_NAME, connectionPath);
    },
    STEP_MS,
  );

  it(
    'shows the daily schedule, and changes it to hourly',
    async () => {
      const schedule = page.getByTestId('schedule');
      await expect.poll(() => schedule.textContent(), { timeout: 10_000 }).toMatch(/Every day at 03:00 \(organisation time\)\s*Next: /);
      await page.getByLabel('Scan', { exact: true }).selectOption('hourly');
      await page.getByRole('button', { name: 'Save schedule' }).click();
      await expect.poll(() => page.getByText('Schedule saved.').isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await schedule.textContent()).toMatch(/^\s*Every hour\s*Next: /);
    },
    STEP_MS,
  );

  describe('by access keys', () => {
    let key: { id: string; secret: string };
    let keysConnectionPath: string;
    /** The body of every JSON answer of the API from here on, read as it arrives: none may hold the secret. */
    const answers: Array<Promise<{ path: string; body: string }>> = [];
    const keepAnswer = (response: Response) => {
      const at = new URL(response.url());
      if (at.origin !== server.url || !at.pathname.startsWith('/api/') || !/json/.test(response.headers()['content-type'] ?? '')) return;
      answers.push(response.text().then((body) => ({ path: at.pathname, body }), () => ({ path: at.pathname, body: '' })));
    };
    /**
     * The page as the browser holds it now (DOM, attributes, inline data, visible text) must not hold
     * the secret; once the wizard is left behind, no input's value may hold it either.
     */
    const expectNoSecretOnPage = async ({ inInputs = true } = {}) => {
      const where = new URL(page.url()).pathname;
      expect((await page.content()).includes(key.secret), `the secret access key appears in the HTML of ${where}`).toBe(false);
      expect((await page.locator('body').innerText()).includes(key.secret), `the secret access key is shown on ${where}`).toBe(false);
      if (inInputs) {
        for (const input of await page.locator('input, textarea').all())
          expect((await input.inputValue()).includes(key.secret), `an input on ${where} still holds the secret access key`).toBe(false);
      }
    };

    beforeAll(async () => {
      // The customer's side: an IAM user with an access key, in its own account (reached, as moto allows, by assuming a role into it).
      const endpoint = moto!.peer!.url;
      const region = 'us-east-1';
      const sts = new STSClient({ endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      const { Credentials: admin } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${KEYS_ACCOUNT_ID}:role/Admin`, RoleSessionName: 'e2e-setup' }));
      sts.destroy();
      const iam = new IAMClient({ endpoint, region, credentials: { accessKeyId: admin!.AccessKeyId!, secretAccessKey: admin!.SecretAccessKey!, sessionToken: admin!.SessionToken! } });
      await iam.send(new CreateUserCommand({ UserName: KEYS_USER }));
      const { AccessKey: created } = await iam.send(new CreateAccessKeyCommand({ UserName: KEYS_USER }));
      iam.destroy();
      key = { id: created!.AccessKeyId!, secret: created!.SecretAccessKey! };
      expect(key.id).toMatch(/^AKIA[A-Z0-9]{16}$/);
      page.on('response', keepAnswer);
    });

    afterAll(() => {
      page?.off('response', keepAnswer);
    });

    it(
      'chooses access keys, is warned that a role is safer, and is told when the key id is malformed',
      async () => {
        await page.getByRole('banner').getByRole('link', { name: 'Connections' }).click();
        await at('/connections');
        await page.getByRole('link', { name: 'Add connection' }).click();
        await at('/connections/new');
        await page.getByLabel('Access keys').check();
        await page.getByRole('button', { name: 'Continue' }).click();
        await expect.poll(() => page.getByRole('heading', { name: 'Step 2 of 2: enter the access keys' }).isVisible(), { timeout: 10_000 }).toBe(true);

        // The warning recommends the role before any key is typed.
        const warning = page.getByRole('note');
        expect(await warning.isVisible()).toBe(true);
        expect(await warning.textContent()).toMatch(/Access keys are long-lived secrets\..*A role is safer: Cloudventory holds no secret at all\./s);
        // No role setup on this path.
        expect(await page.locator('#external-id').count()).toBe(0);
        expect(await page.getByLabel('Secret access key').getAttribute('type')).toBe('password');

        await page.getByLabel('Name').fill(KEYS_CONNECTION_NAME);
        // Copied short: moto accepts any secret (it checks no signatures unless its IAM auth is on, which
        // would refuse the rest of this story), so the refusal to show is Cloudventory's own check of the key id.
        await page.getByLabel('Access key id').fill(key.id.slice(0, 10));
        await page.getByLabel('Secret access key').fill(key.secret);
        await page.getByLabel('Only these regions:').check();
        await page.getByLabel('eu-west-1').check();
        await page.getByRole('button', { name: 'Connect account' }).click();

        const keyId = page.locator('#connection-accessKeyId');
        await expect.poll(() => keyId.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
        expect(await page.locator('#connection-accessKeyId-error').textContent()).toBe('Must be an access key id such as AKIAIOSFODNN7EXAMPLE');
        expect(await keyId.getAttribute('aria-describedby')).toContain('connection-accessKeyId-error');
        await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.id')).toBe('connection-accessKeyId');
        expect(await page.locator('#connection-secretAccessKey').getAttribute('aria-invalid')).toBeNull();
        expect(new URL(page.url()).pathname).toBe('/connections/new');
        // The secret is still in its (password) input, to be sent again: only there.
        await expectNoSecretOnPage({ inInputs: false });
      },
      STEP_MS,
    );

    it(
      'connects with the corrected key id, showing the account and the key masked, never the secret',
      async () => {
        await page.getByLabel('Access key id').fill(key.id);
        // What was typed is kept: the secret, the name and the regions need not be entered again.
        expect(await page.getByLabel('Secret access key').inputValue()).toBe(key.secret);
        await page.getByRole('button', { name: 'Connect account' }).click();

        await at(/^\/connections\/(?!new$)[^/]+$/);
        keysConnectionPath = new URL(page.url()).pathname;
        expect(keysConnectionPath).not.toBe(connectionPath);
        await expect.poll(() => page.getByRole('heading', { name: KEYS_CONNECTION_NAME, level: 1 }).isVisible(), { timeout: 10_000 }).toBe(true);
        expect(await page.getByText(KEYS_ACCOUNT_ID, { exact: true }).isVisible()).toBe(true);
        const masked = `AKIA…${key.id.slice(-4)}`;
        expect(await page.getByText(masked, { exact: true }).first().isVisible()).toBe(true);
        expect((await page.content()).includes(key.id)).toBe(false);
        await expect.poll(() => page.getByText('Never scanned: Cloudventory knows nothing about this account yet.').isVisible(), { timeout: 10_000 }).toBe(true);
        expect(await page.getByText('No scan yet.').isVisible()).toBe(true);
        await expectNoSecretOnPage();

        // Listed beside the role connection, with its own account.
        await page.getByRole('link', { name: '← AWS connections' }).click();
        await at('/connections');
        const table = page.getByRole('table', { name: 'AWS connections' });
        await expect.poll(() => table.getByRole('link', { name: KEYS_CONNECTION_NAME }).isVisible(), { timeout: 10_000 }).toBe(true);
        expect(await table.getByText(KEYS_ACCOUNT_ID).isVisible()).toBe(true);
        expect(await table.getByRole('link', { name: CONNECTION_NAME }).isVisible()).toBe(true);
        await expectNoSecretOnPage();
        await table.getByRole('link', { name: KEYS_CONNECTION_NAME }).click();
        await at(keysConnectionPath);
        await expect.poll(() => page.getByText(masked, { exact: true }).first().isVisible(), { timeout: 10_000 }).toBe(true);
      },
      STEP_MS,
    );

    it(
      'scans the key connection now and watches the progress reach 100 %',
      async () => {
        await scanNowToCompletion();
        await expectNoSecretOnPage();
      },
      STEP_MS,
    );

    it(
      'finds the scan in the key connection’s history, and no API answer ever held the secret',
      async () => {
        await expectScanInHistory(KEYS_CONNECTION_NAME, keysConnectionPath);
        await expectNoSecretOnPage();

        const read = await Promise.all(answers);
        expect(read.some(({ path }) => path.endsWith('/connections'))).toBe(true);
        expect(read.filter(({ body }) => body.includes(key.secret)).map(({ path }) => path)).toEqual([]);
      },
      STEP_MS,
    );
  });
});
