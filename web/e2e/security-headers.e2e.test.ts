import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../api/server.ts';
import { signUpBody } from '../../api/testing/client.ts';
import { launchBrowser } from '../../infra/testing/browser.ts';
import { startTestServer } from '../../infra/testing/server.ts';

/**
 * The web app under its Content-Security-Policy, in Chromium: it runs with nothing refused, while
 * an injected inline script and framing by another page are refused.
 */

const { browser, reason } = await launchBrowser();
if (reason) console.log(`security headers e2e skipped: ${reason}`);

describe.runIf(browser)('the web app under its security headers', () => {
  let server: RunningServer;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const context = await browser!.newContext();
    // Runs before the app's own scripts, outside the page's CSP (Playwright injects it). Browser
    // code is given as text: this file is type-checked without the DOM's types.
    await context.addInitScript(`
      window.violations = [];
      document.addEventListener('securitypolicyviolation', (event) => window.violations.push(event.violatedDirective + ' ' + event.blockedURI));
    `);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const violations = () => page.evaluate<string[]>('window.violations');

  it('renders and runs the app with nothing refused, and changes state from its own origin', async () => {
    for (const path of ['/login', '/signup', '/forgot-password', '/status']) {
      await page.goto(`${server.url}${path}`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).first().isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await violations(), path).toEqual([]);
    }
    await page.goto(`${server.url}/login`);
    await page.getByLabel('E-mail address').fill('nobody@example.com');
    expect(await page.getByLabel('E-mail address').inputValue()).toBe('nobody@example.com');

    // With Referrer-Policy no-referrer the app's fetch() still sends its Origin: the CSRF check passes.
    const answers = await page.evaluate(async (body) => {
      const post = (path: string, json?: unknown) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json ?? {}) });
      const signUp = await post('/api/auth/signup', body);
      const signIn = await post('/api/auth/login', { email: body.email, password: body.password });
      const signOut = await post('/api/auth/logout');
      return { signUp: signUp.ok, signIn: signIn.status, signOut: signOut.status };
    }, signUpBody());
    expect(answers).toEqual({ signUp: true, signIn: 200, signOut: 204 });
    expect(await violations()).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('refuses a script injected into the page', async () => {
    await page.goto(`${server.url}/login`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible(), { timeout: 15_000 }).toBe(true);
    const ran = await page.evaluate<boolean>(`(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.head.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return window.injected === true;
    })()`);
    expect(ran).toBe(false);
    // Refused by the header's policy and by the shell's <meta> one alike: each reports.
    const refused = await violations();
    expect(refused.length).toBeGreaterThan(0);
    expect(refused).toEqual(refused.map(() => expect.stringMatching(/^script-src(-elem)? inline$/)));
  });

  it('cannot be framed by another page', async () => {
    const framing = await browser!.newPage();
    try {
      await framing.setContent(`<iframe src="${server.url}/login"></iframe>`, { waitUntil: 'load' });
      const frame = framing.frames().find((candidate) => candidate !== framing.mainFrame());
      expect(frame).toBeDefined();
      await frame!.waitForLoadState('load');
      // In its place Chromium shows its own error page: the app's shell never loaded there.
      expect(await frame!.evaluate<boolean>("document.body?.hasAttribute('data-sveltekit-preload-data') ?? false")).toBe(false);
    } finally {
      await framing.close();
    }
  });
});
