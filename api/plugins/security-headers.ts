import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecurityHeadersOptions {
  /** The configured public address: HSTS is sent only when it is https. */
  publicUrl: string;
  /** The built web app, whose shell carries the Content-Security-Policy SvelteKit wrote for it. */
  webBuildDir: string;
}

/** Without a built shell nothing here needs to run or load anything. */
const NOTHING_ALLOWED = "default-src 'none'; base-uri 'none'; form-action 'none'";

/**
 * The same security headers on every answer (API, shell, assets, 404s, errors). The CSP is the one
 * SvelteKit put in the shell's <meta> (web/svelte.config.js, with the hash of its inline script),
 * sent as a header as well: a header covers the whole document and every other file served (an SVG
 * opened on its own can run script), and only a header can forbid framing (`frame-ancestors`).
 */
export async function registerSecurityHeaders(app: FastifyInstance, { publicUrl, webBuildDir }: SecurityHeadersOptions): Promise<void> {
  const shell = join(webBuildDir, 'index.html');
  const policy = existsSync(shell) ? policyOfShell(readFileSync(shell, 'utf8')) : NOTHING_ALLOWED;
  if (policy === undefined) app.log.warn({ shell }, 'the web app shell has no Content-Security-Policy <meta>: nothing on its pages is allowed to run (rebuild with `npm run build:web`)');
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { ...directivesOf(policy ?? NOTHING_ALLOWED), 'frame-ancestors': ["'none'"] } },
    xFrameOptions: { action: 'deny' },
    // Password-reset and verification tokens are in page URLs: never hand them to another site.
    referrerPolicy: { policy: 'no-referrer' },
    // Browsers ignore HSTS over plain HTTP; behind a TLS proxy PUBLIC_URL says what they see.
    strictTransportSecurity: publicUrl.startsWith('https:') ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: true } : false,
  });
}

function policyOfShell(html: string): string | undefined {
  const content = /<meta http-equiv="content-security-policy" content="([^"]*)"/i.exec(html)?.[1];
  return content?.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
}

function directivesOf(policy: string): Record<string, string[]> {
  const directives: Record<string, string[]> = {};
  for (const directive of policy.split(';')) {
    const [name, ...values] = directive.trim().split(/\s+/);
    if (name) directives[name.toLowerCase()] = values;
  }
  return directives;
}
