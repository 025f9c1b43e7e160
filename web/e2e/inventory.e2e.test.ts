import { CreateTagsCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../api/server.ts';
import { verifiedOwner, type Owner } from '../../api/testing/organizations.ts';
import { launchBrowser } from '../../infra/testing/browser.ts';
import { freePort, startMoto } from '../../infra/testing/peers.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import { createAwsClients } from '../../scanner/aws/clients.ts';
import { seedAccount, type SeededAccount } from '../../scanner/testing/seed-account.ts';
import type { paths } from '../src/lib/contract.ts';

/**
 * The inventory through the web app, in Chromium, against the real server with moto standing in
 * for AWS: a seeded account is connected by role and scanned; an instance is re-tagged and stopped;
 * a second scan follows. Then the browser sees the new state, travels back to the first scan and
 * sees the old tag, reads the instance's timeline with its diff, finds it inside its VPC box in the
 * topology, and lists it as changed between the two scans. The steps share one story and run in order.
 */

const { browser, reason } = await launchBrowser();
const moto = browser ? await startMoto() : undefined;
if (reason) console.log(`inventory e2e skipped: ${reason}`);
else if (moto?.reason) console.log(`inventory e2e skipped: ${moto.reason}`);

/** moto lets a role be assumed into any account id: this one stands for the customer's. */
const ACCOUNT_ID = '313131313131';
const REGION = 'eu-west-1';
/** Not UTC, so the date-time picker's reading in the person's own zone is really exercised. */
const TIMEZONE = 'Asia/Kolkata';

const STEP_MS = 60_000;
const SCAN_MS = 60_000;

type ScanView = paths['/api/orgs/{orgId}/scans/{scanId}']['get']['responses'][200]['application/json']['scan'];

describe.runIf(browser && moto?.peer)('the inventory in the web app', () => {
  let server: RunningServer;
  let owner: Owner;
  let context: BrowserContext;
  let page: Page;
  let seeded: SeededAccount;
  let first: ScanView;
  let second: ScanView;
  const arn = (kind: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:${kind}/${id}`;
  let instanceArn: string;
  let vpcArn: string;
  let subnetArn: string;
  let webGroupArn: string;
  /** Every API answer of 400 and above, and every page error, in order: printed when a step fails. */
  const problems: string[] = [];

  async function scan(orgId: string, connectionId: string): Promise<ScanView> {
    const started = await owner.client.post(`/api/orgs/${orgId}/connections/${connectionId}/scans`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const scanId = started.body.scanId as string;
    const deadline = Date.now() + SCAN_MS;
    while (Date.now() < deadline) {
      const found = await owner.client.get(`/api/orgs/${orgId}/scans/${scanId}`);
      const view = found.body.scan as ScanView;
      if (view.status !== 'running') {
        expect(['completed', 'partial']).toContain(view.status);
        return view;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`scan ${scanId} did not finish within ${SCAN_MS} ms`);
  }

  /** The inventory's answer for the instance, once the projections have caught up with what the scan saw. */
  async function instanceTag(orgId: string): Promise<string | undefined> {
    const found = await owner.client.get(`/api/orgs/${orgId}/inventory?q=cv-seed-web&type=ec2:instance`);
    const resources = (found.body.resources ?? []) as Array<{ arn: string; tags: Record<string, string> }>;
    return resources.find((r) => r.arn === instanceArn)?.tags.Env;
  }

  /** Waits for a value outside a test (expect.poll works only inside one). */
  async function until<T>(read: () => Promise<T>, wanted: T, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen: T | undefined;
    while (Date.now() < deadline) {
      seen = await read();
      if (seen === wanted) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`expected ${String(wanted)}, still ${String(seen)} after ${timeoutMs} ms`);
  }

  beforeAll(async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    server = await startTestServer({ PORT: String(port), PUBLIC_URL: url, AWS_ENDPOINT_URL: moto!.peer!.url });
    owner = await verifiedOwner(server, { timezone: TIMEZONE });

    // The customer's account, seeded in moto with everything the scanner knows.
    const aws = createAwsClients({ endpoint: moto!.peer!.url, maxAttempts: 2 });
    const admin = await aws.credentialsFor({ method: 'role', roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/Admin`, externalId: 'seeder' });
    seeded = await seedAccount(aws, admin, ACCOUNT_ID, { primary: REGION, secondary: 'us-east-1' });
    instanceArn = arn('instance', seeded.ids.webInstance!);
    vpcArn = arn('vpc', seeded.ids.vpc!);
    subnetArn = arn('subnet', seeded.ids.subnetA!);
    webGroupArn = arn('security-group', seeded.ids.webGroup!);

    // Connected by role through the API (the wizard has its own test), one region to keep scans short.
    const created = await owner.client.post(`/api/orgs/${owner.orgId}/connections`, {
      name: 'Production',
      method: 'role',
      roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/CloudventoryReadOnly`,
      regions: [REGION],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const connectionId = (created.body.connection as { id: string }).id;

    first = await scan(owner.orgId, connectionId);
    await until(() => instanceTag(owner.orgId), 'prod');

    const ec2 = aws.ec2(admin, REGION);
    await ec2.send(new CreateTagsCommand({ Resources: [seeded.ids.webInstance!], Tags: [{ Key: 'Env', Value: 'staging' }] }));
    await ec2.send(new StopInstancesCommand({ InstanceIds: [seeded.ids.webInstance!] }));
    ec2.destroy();

    second = await scan(owner.orgId, connectionId);
    await until(() => instanceTag(owner.orgId), 'staging');

    context = await browser!.newContext({ acceptDownloads: true });
    await context.addCookies([...owner.client.cookies].map(([name, value]) => ({ name, value, url })));
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', async (response) => {
      const at = new URL(response.url());
      if (at.origin !== server.url || response.status() < 400) return;
      const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
      problems.push(`${response.request().method()} ${at.pathname}${at.search} → ${response.status()} ${body?.error?.code ?? ''} ${body?.error?.message ?? ''}`.trim());
    });
  }, 240_000);

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
  const query = (name: string) => new URL(page.url()).searchParams.get(name);
  const instanceRow = () => page.getByTestId('inventory-table').locator(`tr[data-arn="${instanceArn}"]`);
  const scanInstant = (scan: ScanView) => scan.finishedAt ?? scan.requestedAt;
  /** What a `datetime-local` input shows for an instant, read in the person's zone. */
  const localReading = (iso: string) => {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TIMEZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
    const part = (type: string) => parts.find((p) => p.type === type)!.value;
    return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
  };

  it(
    'shows the estate now, reached from the main navigation, with the new tag',
    async () => {
      await page.goto(`${server.url}/`);
      await page.getByRole('banner').getByRole('link', { name: 'Inventory' }).click();
      await at('/inventory');
      const table = page.getByTestId('inventory-table');
      await expect.poll(() => table.locator('tbody tr[data-arn]').count(), { timeout: 15_000 }).toBeGreaterThan(10);
      // The counts by type name the seeded kinds.
      const byType = page.getByRole('region', { name: 'Counts by type' });
      expect(await byType.getByRole('link', { name: /^EC2 instances \d+$/ }).isVisible()).toBe(true);
      expect(await byType.getByRole('link', { name: /^Security groups \d+$/ }).isVisible()).toBe(true);

      await page.getByLabel('Search').fill('cv-seed-web');
      await page.getByLabel('Type', { exact: true }).selectOption('ec2:instance');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect.poll(() => query('q')).toBe('cv-seed-web');
      expect(query('type')).toBe('ec2:instance');
      await expect.poll(() => table.locator('tbody tr[data-arn]').count(), { timeout: 10_000 }).toBe(1);
      expect(await instanceRow().textContent()).toContain('Env=staging');
      expect(await page.getByTestId('inventory-total').textContent()).toMatch(/1\s+resource match as of now/);
      expect(await instanceRow().getByRole('link', { name: 'cv-seed-web' }).isVisible()).toBe(true);
      expect(await instanceRow().textContent()).toContain(REGION);
      expect(await instanceRow().textContent()).toContain(ACCOUNT_ID);
      // Nothing is unknown about EC2 instances in the region scanned: no freshness warning.
      expect(await page.getByTestId('freshness-banner').count()).toBe(0);
    },
    STEP_MS,
  );

  it(
    'sorts by a column from its heading, the order kept in the URL',
    async () => {
      const table = page.getByTestId('inventory-table');
      expect(await table.getByRole('columnheader', { name: 'Name', exact: true }).getAttribute('aria-sort')).toBe('ascending');
      await table.getByRole('button', { name: 'Name', exact: true }).click();
      await expect.poll(() => query('sort')).toBe('-name');
      await expect.poll(() => table.getByRole('columnheader', { name: 'Name', exact: true }).getAttribute('aria-sort')).toBe('descending');
      await table.getByRole('button', { name: 'Last changed', exact: true }).click();
      await expect.poll(() => query('sort')).toBe('-changed');
      expect(query('q')).toBe('cv-seed-web');
    },
    STEP_MS,
  );

  it(
    'exports what is shown as CSV and JSON',
    async () => {
      const csvLink = page.getByRole('link', { name: 'CSV', exact: true });
      const href = (await csvLink.getAttribute('href'))!;
      const exportUrl = new URL(href, server.url);
      expect(exportUrl.pathname).toBe(`/api/orgs/${owner.orgId}/inventory/export`);
      expect(Object.fromEntries(exportUrl.searchParams)).toEqual({ format: 'csv', type: 'ec2:instance', q: 'cv-seed-web' });
      const csv = await page.request.get(exportUrl.toString());
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
      const text = await csv.text();
      expect(text.split('\n')[0]).toBe('arn,type,name,account,region,tags,validFrom');
      expect(text).toContain(instanceArn);
      expect(text).toContain('Env=staging');

      const jsonHref = (await page.getByRole('link', { name: 'JSON', exact: true }).getAttribute('href'))!;
      const json = await page.request.get(new URL(jsonHref, server.url).toString());
      expect(json.status()).toBe(200);
      const resources = (await json.json()) as Array<{ arn: string; tags: Record<string, string> }>;
      expect(resources.map((r) => r.arn)).toEqual([instanceArn]);
    },
    STEP_MS,
  );

  it(
    'travels back to the first scan with the slider and sees the old tag',
    async () => {
      const slider = page.locator('#as-of-slider');
      expect(await slider.getAttribute('max')).toBe('2');
      expect(await slider.inputValue()).toBe('2');
      await slider.focus();
      await page.keyboard.press('Home');
      await expect.poll(() => query('asOf'), { timeout: 10_000 }).toBe(scanInstant(first));
      expect(query('q')).toBe('cv-seed-web');
      const banner = page.getByTestId('as-of-banner');
      await expect.poll(() => banner.textContent()).toMatch(/Viewing the estate as of .+ — back to now/s);
      await expect.poll(() => instanceRow().textContent(), { timeout: 10_000 }).toContain('Env=prod');
      expect(await instanceRow().textContent()).not.toContain('Env=staging');
      expect(await slider.getAttribute('aria-valuetext')).toMatch(/scan of Production/);
      // The picker shows the same instant, read in the person's zone.
      expect(await page.locator('#as-of-at').inputValue()).toBe(localReading(scanInstant(first)));
      // The export follows the instant.
      expect(new URL((await page.getByRole('link', { name: 'CSV', exact: true }).getAttribute('href'))!, server.url).searchParams.get('asOf')).toBe(scanInstant(first));
    },
    STEP_MS,
  );

  it(
    "opens the instance's page as of that instant, and its timeline with the diff",
    async () => {
      await instanceRow().getByRole('link', { name: 'cv-seed-web' }).click();
      await at(/^\/resources\/[^/]+$/);
      expect(query('asOf')).toBe(scanInstant(first));
      await expect.poll(() => page.getByTestId('resource-arn').textContent(), { timeout: 10_000 }).toBe(instanceArn);
      const tags = page.getByTestId('resource-tags');
      expect(await tags.getByRole('row', { name: /Env\s+prod/ }).isVisible()).toBe(true);
      expect(await page.getByTestId('resource-config').textContent()).toContain('running');
      // Its relationships lead to the resources around it.
      expect(await page.getByRole('link', { name: `subnet/${seeded.ids.subnetA}` }).isVisible()).toBe(true);

      const timeline = page.getByTestId('timeline');
      await expect.poll(() => timeline.locator('li.version').count(), { timeout: 10_000 }).toBe(2);
      const newest = timeline.locator('li.version').first();
      expect(await newest.locator('.kind').textContent()).toBe('Changed');
      const tagChange = newest.locator('tr[data-path="tags.Env"]');
      expect(await tagChange.locator('td.before').textContent()).toBe('"prod"');
      expect(await tagChange.locator('td.after').textContent()).toContain('"staging"');
      const stateChange = newest.locator('tr[data-path="config.state"]');
      expect(await stateChange.locator('td.before').textContent()).toBe('"running"');
      expect(await stateChange.locator('td.after').textContent()).toContain('"stopped"');
      expect(await timeline.locator('li.version').nth(1).locator('.kind').textContent()).toBe('Discovered');
      expect(await timeline.locator('li.version').nth(1).getAttribute('aria-current')).toBe('true');

      await newest.getByRole('link', { name: 'View as of this version' }).click();
      await expect.poll(() => tags.getByRole('row', { name: /Env\s+staging/ }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await newest.getAttribute('aria-current')).toBe('true');
      await page.getByRole('link', { name: 'back to now' }).click();
      await expect.poll(() => query('asOf')).toBe(null);
      await expect.poll(() => page.getByTestId('as-of-banner').count()).toBe(0);
    },
    STEP_MS,
  );

  it(
    'warns that nothing was known before the first scan, using the date-time picker',
    async () => {
      await page.goto(`${server.url}/inventory?type=ec2:instance`);
      const before = new Date(Date.parse(first.requestedAt) - 60_000).toISOString();
      await page.locator('#as-of-at').fill(localReading(before));
      await page.getByRole('button', { name: 'Go', exact: true }).click();
      await expect.poll(() => query('asOf'), { timeout: 10_000 }).toBe(before.replace(/\.\d{3}Z$/, '.000Z'));
      const banner = page.getByTestId('freshness-banner');
      await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toMatch(/absence (there|here) does not mean nothing is there/);
      expect(await page.getByTestId('inventory-table').locator('tbody tr[data-arn]').count()).toBe(0);
    },
    STEP_MS,
  );

  it(
    'draws the instance inside its subnet inside its VPC box in the topology, exposed to the internet',
    async () => {
      await page.getByRole('banner').getByRole('link', { name: 'Topology' }).click();
      await at('/topology');
      await page.getByLabel('Account', { exact: true }).selectOption(ACCOUNT_ID);
      await page.getByLabel('Region', { exact: true }).selectOption(REGION);
      await expect.poll(() => page.locator('#topology-vpc option').allTextContents(), { timeout: 10_000 }).toContainEqual(expect.stringContaining('cv-seed-app'));
      await page.getByLabel('VPC', { exact: true }).selectOption(seeded.ids.vpc!);
      await page.getByRole('button', { name: 'Draw' }).click();
      await expect.poll(() => query('vpc')).toBe(seeded.ids.vpc);

      const graph = page.getByTestId('topology-graph');
      const instance = graph.locator(`[data-node-id="${instanceArn}"]`);
      await instance.waitFor({ timeout: 15_000 });
      expect(await instance.getAttribute('data-parent')).toBe(subnetArn);
      expect(await instance.getAttribute('data-vpc')).toBe(vpcArn);
      expect(await graph.locator(`[data-node-id="${subnetArn}"]`).getAttribute('data-parent')).toBe(vpcArn);
      // Inside in the drawing too, not only in the attributes.
      const box = (await graph.locator(`[data-node-id="${vpcArn}"] > rect`).boundingBox())!;
      const node = (await instance.locator('rect').boundingBox())!;
      expect(node.x).toBeGreaterThanOrEqual(box.x);
      expect(node.y).toBeGreaterThanOrEqual(box.y);
      expect(node.x + node.width).toBeLessThanOrEqual(box.x + box.width);
      expect(node.y + node.height).toBeLessThanOrEqual(box.y + box.height);
      // The web group admits the internet on 443: it, and the instance using it, are marked.
      expect(await graph.locator(`[data-node-id="${webGroupArn}"]`).getAttribute('data-exposed')).toBe('true');
      expect(await graph.locator(`[data-node-id="${webGroupArn}"]`).getAttribute('data-vpc')).toBe(vpcArn);
      expect(await instance.getAttribute('data-exposed')).toBe('true');
      expect(await graph.locator('[data-node-id="internet"]').count()).toBe(1);
      expect(await graph.locator(`line[data-edge-source="${webGroupArn}"][data-edge-target="internet"]`).getAttribute('class')).toContain('exposed');
      expect(await graph.locator(`line[data-edge-source="${instanceArn}"][data-edge-target="${webGroupArn}"]`).count()).toBe(1);
      expect(await page.getByRole('heading', { name: 'Legend' }).isVisible()).toBe(true);

      // Zoom with the buttons, then a click on the node opens its page.
      const zoomed = page.getByRole('toolbar', { name: 'Zoom' });
      const before = await zoomed.textContent();
      await zoomed.getByRole('button', { name: 'Zoom in' }).click();
      await expect.poll(() => zoomed.textContent()).not.toBe(before);
      await page.getByRole('button', { name: 'Fit to view' }).click();
      await instance.click();
      await at(/^\/resources\/[^/]+$/);
      await expect.poll(() => page.getByTestId('resource-arn').textContent(), { timeout: 10_000 }).toBe(instanceArn);
    },
    STEP_MS,
  );

  it(
    'compares the two scans and lists the instance as changed, with the paths that changed',
    async () => {
      await page.getByRole('banner').getByRole('link', { name: 'Compare' }).click();
      await at('/inventory/compare');
      // Without a choice it compares the scan before the latest with now.
      const changed = page.getByTestId('compare-changed');
      const row = changed.locator(`tr[data-arn="${instanceArn}"]`);
      await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
      // The second instant moves from now to the second scan with the slider.
      await page.locator('#to-slider').focus();
      await page.keyboard.press('ArrowLeft');
      await expect.poll(() => query('to'), { timeout: 10_000 }).toBe(scanInstant(second));
      await expect.poll(() => page.getByTestId('compare-counts').textContent(), { timeout: 10_000 }).toMatch(/0 added, 0 removed,\s+\d+ changed/);
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
      const paths = await row.locator('td.paths code').allTextContents();
      expect(paths).toEqual(expect.arrayContaining(['tags.Env', 'config.state']));
      expect(await page.getByTestId('compare-added').getByText('None.').isVisible()).toBe(true);

      // Filters narrow the lists like the inventory's (a tag both states have).
      await page.getByLabel('Tag').fill('Name:cv-seed-web');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect.poll(() => query('tag')).toBe('Name:cv-seed-web');
      await expect.poll(() => changed.locator('tr[data-arn]').count(), { timeout: 10_000 }).toBe(1);
      await row.getByRole('link', { name: 'cv-seed-web' }).click();
      await at(/^\/resources\/[^/]+$/);
      expect(query('asOf')).toBe(scanInstant(second));
    },
    STEP_MS,
  );
});
