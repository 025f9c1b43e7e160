import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../infra/testing/server.ts';
import type { RunningServer } from './server.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

/** The directives of a policy, by name. */
const directives = (policy: string | null) =>
  new Map(
    (policy ?? '')
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!, values]),
  );

function expectSecurityHeaders(response: Response) {
  const csp = directives(response.headers.get('content-security-policy'));
  expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  expect(csp.get('default-src')).toEqual(["'self'"]);
  expect(csp.get('object-src')).toEqual(["'none'"]);
  expect(csp.get('base-uri')).toEqual(["'none'"]);
  // Scripts only from our own files and the shell's one inline script, by its hash.
  expect(csp.get('script-src')?.[0]).toBe("'self'");
  expect(csp.get('script-src')?.slice(1)).toEqual([expect.stringMatching(/^'sha256-[\w+/]+={0,2}'$/)]);
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  // Served over plain HTTP (PUBLIC_URL is http://): no HSTS.
  expect(response.headers.get('strict-transport-security')).toBeNull();
}

describe('security headers on every answer', () => {
  it('on API answers, the web shell, its assets, 404s and errors', async () => {
    const shell = await get('/status');
    const html = await shell.text();
    const asset = /\/_app\/immutable\/[^"]+\.js/.exec(html)?.[0];
    expect(asset).toBeDefined();
    const answers = {
      api: await get('/readyz'),
      openapi: await get('/api/openapi.json'),
      shell,
      root: await get('/'),
      asset: await get(asset!),
      apiNotFound: await get('/api/does-not-exist'),
      unauthenticated: await get('/api/me'),
      badJson: await get('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: '{' }),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([name, response]) => [name, response.status]))).toEqual({
      api: 200,
      openapi: 200,
      shell: 200,
      root: 200,
      asset: 200,
      apiNotFound: 404,
      unauthenticated: 401,
      badJson: 400,
    });
    for (const [name, response] of Object.entries(answers)) {
      try {
        expectSecurityHeaders(response);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
      }
    }
  });

  it("the header's policy is the shell's own <meta> policy, which allows exactly the shell's inline script", async () => {
    const response = await get('/login');
    const html = await response.text();
    const meta = /<meta http-equiv="content-security-policy" content="([^"]*)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const header = directives(response.headers.get('content-security-policy'));
    header.delete('frame-ancestors');
    expect(header).toEqual(directives(meta!));
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`);
    expect(inline).toHaveLength(1);
    expect(header.get('script-src')).toEqual(["'self'", ...inline]);
    expect(header.get('script-src')).not.toContain("'unsafe-inline'");
    expect(header.get('script-src')).not.toContain("'unsafe-eval'");
  });
});

describe('HSTS', () => {
  let tls: RunningServer;
  beforeAll(async () => {
    tls = await startTestServer({ PUBLIC_URL: 'https://inventory.example.com' });
  });
  afterAll(() => tls?.close());

  it('is sent when people reach Cloudventory over TLS (PUBLIC_URL https)', async () => {
    for (const path of ['/healthz', '/login', '/api/does-not-exist']) {
      const response = await fetch(`${tls.url}${path}`);
      expect(response.headers.get('strict-transport-security'), path).toBe('max-age=31536000; includeSubDomains');
    }
  });
});
