import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded stores on localhost:3000', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      eventStoreUrl: undefined,
      mongoUrl: undefined,
      logLevel: 'info',
      masterKey: undefined,
      publicUrl: 'http://127.0.0.1:3000',
      smtpUrl: undefined,
      mailFrom: 'Cloudventory <no-reply@cloudventory.local>',
      accessLogRetentionDays: 30,
      awsEndpointUrl: undefined,
      trustProxy: false,
    });
  });

  it('reads every variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/cv',
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      MONGODB_URL: 'mongodb://localhost:27017/cloudventory',
      LOG_LEVEL: 'warn',
      CLOUDVENTORY_MASTER_KEY: key,
      PUBLIC_URL: 'https://inventory.example.com/',
      SMTP_URL: 'smtps://mailer:p%40ss@smtp.example.com:465',
      MAIL_FROM: 'Ops <ops@example.com>',
      ACCESS_LOG_RETENTION_DAYS: '90',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      TRUST_PROXY: '10.0.0.0/8',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      eventStoreUrl: 'esdb://localhost:2113?tls=false',
      masterKey: key,
      publicUrl: 'https://inventory.example.com',
      smtpUrl: 'smtps://mailer:p%40ss@smtp.example.com:465',
      mailFrom: 'Ops <ops@example.com>',
      accessLogRetentionDays: 90,
      awsEndpointUrl: 'http://127.0.0.1:5000',
      trustProxy: ['10.0.0.0/8'],
    });
  });

  it('treats empty optional variables as unset', () => {
    expect(loadConfig({ EVENTSTORE_URL: '', MONGODB_URL: ' ', SMTP_URL: '' })).toMatchObject({ eventStoreUrl: undefined, mongoUrl: undefined, smtpUrl: undefined });
  });

  it('takes a bare address as MAIL_FROM', () => {
    expect(loadConfig({ MAIL_FROM: ' ops@example.com ' }).mailFrom).toBe('ops@example.com');
  });

  it.each([
    ['', false],
    ['false', false],
    ['true', true],
    ['127.0.0.1', ['127.0.0.1']],
    [' 10.0.0.0/8, 192.168.1.7 ,::1, fd00::/8,loopback ', ['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', 'loopback']],
  ])('reads TRUST_PROXY=%j as Fastify trustProxy %j', (value, trustProxy) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(trustProxy);
  });

  it('reads a TRUST_PROXY hop count as trusting that many proxies nearest the server', () => {
    const trust = loadConfig({ TRUST_PROXY: '2' }).trustProxy;
    expect(typeof trust).toBe('function');
    expect([0, 1, 2].map((hop) => (trust as (address: string, hop: number) => boolean)('192.0.2.1', hop))).toEqual([true, true, false]);
  });

  it.each([
    [{ TRUST_PROXY: 'yes' }, /^Invalid configuration: TRUST_PROXY must be true, false, a number of proxy hops, or a comma-separated list of proxy addresses or CIDR ranges \(got "yes"\)$/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /^Invalid configuration: TRUST_PROXY must be true, false/],
    [{ TRUST_PROXY: '10.0.0.1,,10.0.0.2' }, /^Invalid configuration: TRUST_PROXY must be true, false/],
    [{ TRUST_PROXY: '-1' }, /^Invalid configuration: TRUST_PROXY must be true, false/],
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a number \(got "abc"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be 1 to 65535/],
    [{ ACCESS_LOG_RETENTION_DAYS: '0' }, /^Invalid configuration: ACCESS_LOG_RETENTION_DAYS must be 1 to 3650/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid configuration: LOG_LEVEL must be one of/],
    [{ MONGODB_URL: 'postgres://x' }, /^Invalid configuration: MONGODB_URL must be a mongodb:\/\/ or mongodb\+srv:\/\/ URL$/],
    [{ EVENTSTORE_URL: 'http://x' }, /^Invalid configuration: EVENTSTORE_URL must be an esdb/],
    [{ CLOUDVENTORY_MASTER_KEY: 'short' }, /^Invalid configuration: CLOUDVENTORY_MASTER_KEY must be 32 bytes in base64/],
    [{ PUBLIC_URL: 'ftp://x' }, /^Invalid configuration: PUBLIC_URL must be an http\(s\) URL/],
    [{ SMTP_URL: 'http://mail.example.com' }, /^Invalid configuration: SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL$/],
    [{ SMTP_URL: 'smtp://' }, /^Invalid configuration: SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL$/],
    [{ MAIL_FROM: 'Cloudventory' }, /^Invalid configuration: MAIL_FROM must be an e-mail address/],
    [{ MAIL_FROM: 'Ops <ops@example.com>\r\nBcc: everyone@example.com' }, /^Invalid configuration: MAIL_FROM must be an e-mail address/],
  ])('refuses %o with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never repeats a secret value in the message', () => {
    expect(() => loadConfig({ CLOUDVENTORY_MASTER_KEY: 'not-a-real-key-but-secret' })).toThrow(/^((?!not-a-real-key).)*$/);
    expect(() => loadConfig({ SMTP_URL: 'http://mailer:hunter2@smtp.example.com' })).toThrow(/^((?!hunter2).)*$/);
  });
});
