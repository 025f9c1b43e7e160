import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../api/server.ts';
import { apiClient, signUpBody } from '../../api/testing/client.ts';
import { addressHolder } from '../../api/testing/sign-up.ts';
import { createSmtpMailer } from '../../infra/mail/smtp-mailer.ts';
import { createLogger } from '../../infra/logger.ts';
import { freePort, startSmtpSink, type SmtpSink } from '../../infra/testing/peers.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import { startMailSender } from './sender.ts';
import { readModel } from '../generations.ts';
import type { OutboxMail } from './outbox.ts';

const sink = await startSmtpSink();
afterAll(() => sink.peer?.stop());
if (sink.reason) console.log(`mail worker tests skipped: ${sink.reason}`);

const verificationLink = (text: string | undefined) => /https?:\/\/\S+\/verify-email\?user=([\w-]+)&token=([\w-]+)/.exec(text ?? '');

describe.runIf(sink.peer)('mail worker', () => {
  let smtp: SmtpSink;
  let dataDir: string;
  let server: RunningServer;
  beforeAll(async () => {
    smtp = sink.peer!;
    dataDir = mkdtempSync(join(tmpdir(), 'cv-mail-'));
    server = await startTestServer({ DATA_DIR: dataDir, SMTP_URL: smtp.url });
  });
  afterAll(() => server?.close());

  it('sends the verification mail over SMTP, with a link that verifies the address and signs in', async () => {
    const client = apiClient(server);
    const body = signUpBody({ firstName: 'Zoë' });
    expect((await client.post('/api/auth/signup', body)).status).toBe(202);
    await expect.poll(async () => (await smtp.messages()).filter((m) => m.headers.get('to') === body.email).length, { timeout: 10_000 }).toBe(1);
    const mail = (await smtp.messages()).find((m) => m.headers.get('to') === body.email)!;
    expect(mail.headers.get('subject')).toBe('Verify your e-mail address for Cloudventory');
    expect(mail.text).toContain('Hello Zoë,');
    expect(mail.html).toContain('Verify my e-mail address');
    const [, userId, token] = verificationLink(mail.text)!;
    expect(userId).toBe(await addressHolder(server, body.email));
    expect((await client.post('/api/auth/verify-email', { userId, token })).body).toEqual({ verified: true, signedIn: true });
    expect((await client.get('/api/me')).body).toMatchObject({ user: { id: userId, verified: true } });

    const outbox = await readModel<OutboxMail>(server.stores.documents, 'mail', 'outbox');
    const [sent] = await outbox.find({ status: 'sent' });
    expect(sent).toBeDefined();
    expect(sent).not.toHaveProperty('to');
    expect(sent).not.toHaveProperty('text');
  });

  it('never sends a mail twice across a restart', async () => {
    const body = signUpBody();
    await apiClient(server).post('/api/auth/signup', body);
    const toThem = async () => (await smtp.messages()).filter((m) => m.headers.get('to') === body.email).length;
    await expect.poll(toThem, { timeout: 10_000 }).toBe(1);
    await server.close();
    server = await startTestServer({ DATA_DIR: dataDir, SMTP_URL: smtp.url });
    await apiClient(server).post('/api/auth/signup', signUpBody());
    await expect.poll(async () => (await server.projections.find((p) => p.name === 'mail')!.lag()), { timeout: 10_000 }).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await toThem()).toBe(1);
  });

  it('retries with backoff while the mail server is down, then delivers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cv-mail-retry-'));
    const port = await freePort();
    const down = await startTestServer({ DATA_DIR: dir, SMTP_URL: `smtp://127.0.0.1:${port}` });
    const body = signUpBody();
    await apiClient(down).post('/api/auth/signup', body);
    const outbox = await readModel<OutboxMail>(down.stores.documents, 'mail', 'outbox');
    await expect.poll(async () => (await outbox.find({ attempts: { $gte: 1 } })).length, { timeout: 10_000 }).toBe(1);
    const [failing] = await outbox.find({});
    expect(failing).toMatchObject({ status: 'pending', attempts: 1 });
    expect(failing!.lastError).toContain(`127.0.0.1:${port}`);
    expect(Date.parse(failing!.nextAttemptAt)).toBeGreaterThan(Date.now() + 20_000);

    // The same outbox, delivered by a sender with a short backoff to the sink: it arrives.
    const sender = startMailSender({
      documents: down.stores.documents,
      mailer: createSmtpMailer({ url: smtp.url, from: 'Cloudventory <no-reply@cloudventory.local>', logger: createLogger('silent') }),
      logger: createLogger('silent'),
      now: () => new Date(Date.now() + 3600_000),
    });
    await expect.poll(async () => (await smtp.messages()).filter((m) => m.headers.get('to') === body.email).length, { timeout: 10_000 }).toBe(1);
    await sender.stop();
    await down.close();
  });
});
