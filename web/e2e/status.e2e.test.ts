import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../api/server.ts';
import { launchBrowser } from '../../infra/testing/browser.ts';
import { startTestServer } from '../../infra/testing/server.ts';

const { browser, reason } = await launchBrowser();
if (reason) console.log(`web e2e skipped: ${reason}`);

describe.runIf(browser)('the web app in Chromium', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders the start page and reaches the status page through the API and read models', async () => {
    const page = await browser!.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(server.url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your AWS estate, at any moment in time');

    await page.getByRole('link', { name: 'See the service status' }).click();
    await page.waitForURL(`${server.url}/status`);
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('Ready');
    expect(await page.getByTestId('event-store').textContent()).toBe('sqlite');
    expect(await page.getByTestId('document-store').textContent()).toBe('sqlite');
    expect(await page.getByTestId('lag-audit').textContent()).toBe('0');
    expect(failures).toEqual([]);
  });

  it('opens a page path directly (the server hands it the app shell)', async () => {
    const page = await browser!.newPage();
    await page.goto(`${server.url}/status`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Service status');
  });
});
