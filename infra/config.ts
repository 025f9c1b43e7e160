import { isIP } from 'node:net';
import { z } from 'zod';
import { StartupError } from './startup-error.ts';

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string())
  .optional()
  .transform((s) => (s === '' ? undefined : s));

/** What Fastify's `trustProxy` takes besides addresses and CIDR ranges (@fastify/proxy-addr). */
const proxyRangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (proxyRangeNames.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/** A hop count as Fastify applies one (its types omit the number form): the nearest `hops` proxies. */
const trustNearest = (hops: number) => (_address: string, hop: number) => hop < hops;

/** Unset or `false`: the peer's address is the client's. Else whom to believe X-Forwarded-For from. */
const trustProxy = optionalText.transform((value, ctx): Config['trustProxy'] => {
  if (value === undefined || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(value)) return trustNearest(Number(value));
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every(isProxyAddress)) return entries;
  ctx.addIssue({ code: 'custom', message: 'must be true, false, a number of proxy hops, or a comma-separated list of proxy addresses or CIDR ranges' });
  return z.NEVER;
});

const schema = z.object({
  PORT: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 to 65535').max(65535, 'must be 1 to 65535').default(3000),
  HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./data'),
  EVENTSTORE_URL: optionalText.pipe(z.string().regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\/\S+$/, 'must be an esdb:// or kurrentdb:// connection string').optional()),
  MONGODB_URL: optionalText.pipe(z.string().regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// URL').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  CLOUDVENTORY_MASTER_KEY: optionalText.pipe(
    z
      .string()
      .refine((key) => /^[A-Za-z0-9+/]{43}=$/.test(key) && Buffer.from(key, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)')
      .optional(),
  ),
  PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  SMTP_URL: optionalText.pipe(z.url({ protocol: /^smtps?$/, hostname: /./, error: 'must be an smtp:// or smtps:// URL' }).optional()),
  // A bare address or `Name <address>`; no line breaks, as it becomes the From header.
  MAIL_FROM: z
    .string()
    .trim()
    .regex(/^([^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'must be an e-mail address, optionally with a name: Name <address@example.com>')
    .default('Cloudventory <no-reply@cloudventory.local>'),
  AWS_ENDPOINT_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  ACCESS_LOG_RETENTION_DAYS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 to 3650').max(3650, 'must be 1 to 3650').default(30),
  TRUST_PROXY: trustProxy,
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  eventStoreUrl: string | undefined;
  mongoUrl: string | undefined;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  masterKey: string | undefined;
  publicUrl: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  accessLogRetentionDays: number;
  /** Where every AWS call goes instead of AWS itself (an emulator such as moto, for demos and tests). */
  awsEndpointUrl: string | undefined;
  /**
   * Fastify's `trustProxy`: whether (true), from which addresses (addresses, CIDR ranges) or from
   * how many hops (a function of the hop) X-Forwarded-For is believed for the client's address.
   */
  trustProxy: boolean | string[] | ((address: string, hop: number) => boolean);
}

/** Values of these variables are never repeated in an error message. */
const secretVariables = new Set(['CLOUDVENTORY_MASTER_KEY', 'EVENTSTORE_URL', 'MONGODB_URL', 'SMTP_URL']);

/** Parses the environment once at start-up; a bad value becomes one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    const value = env[variable];
    const shown = secretVariables.has(variable) || value === undefined ? '' : ` (got "${value}")`;
    throw new StartupError(`Invalid configuration: ${variable} ${issue.message}${shown}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    eventStoreUrl: e.EVENTSTORE_URL,
    mongoUrl: e.MONGODB_URL,
    logLevel: e.LOG_LEVEL,
    masterKey: e.CLOUDVENTORY_MASTER_KEY,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    accessLogRetentionDays: e.ACCESS_LOG_RETENTION_DAYS,
    awsEndpointUrl: e.AWS_ENDPOINT_URL,
    trustProxy: e.TRUST_PROXY,
  };
}
