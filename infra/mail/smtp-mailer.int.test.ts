import { createServer } from 'node:net';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { MailMessage } from '../../domain/mail/mailer.ts';
import { createLogger, loggerOptions } from '../logger.ts';
import { freePort, startSmtpSink } from '../testing/peers.ts';
import { createSmtpMailer } from './smtp-mailer.ts';

const sink = await startSmtpSink();
afterAll(() => sink.peer?.stop());
if (sink.reason) console.log(`SMTP mailer: delivery tests skipped: ${sink.reason}`);

const logger = createLogger('silent');
const from = 'Cloudventory <no-reply@cloudventory.local>';

// Non-ASCII and a line longer than 76 characters, so the parts really travel quoted-printable.
const invitation: MailMessage = {
  messageId: 'invitation.8c0e0b5e-2a8f-4d1c-9f3e-6a1b2c3d4e5f',
  to: 'Zoë Ångström <zoe@example.com>',
  subject: 'Zoë, you are invited to Acme — join Cloudventory',
  text: `Hello Zoë,\n\nAcme invites you to Cloudventory. Open ${'https://inventory.example.com/invitations/accept?token=' + 'x'.repeat(60)} to accept.\n`,
  html: '<p>Hello Zoë,</p><p>Acme invites you to <a href="https://inventory.example.com/invitations/accept">Cloudventory</a>.</p>',
};

describe.runIf(sink.peer)('SMTP mailer (aiosmtpd)', () => {
  it('delivers the mail with its recipient, subject, Message-ID and both parts', async () => {
    const mailer = createSmtpMailer({ url: sink.peer!.url, from, logger });
    await mailer.send(invitation);
    await mailer.close();

    const mails = await sink.peer!.messages();
    const mail = mails.find((m) => m.headers.get('message-id') === `<${invitation.messageId}@cloudventory>`);
    expect(mail).toBeDefined();
    expect(mail!.headers.get('x-rcptto')).toBe('zoe@example.com');
    expect(mail!.headers.get('to')).toBe('Zoë Ångström <zoe@example.com>');
    expect(mail!.headers.get('from')).toBe(from);
    expect(mail!.headers.get('subject')).toBe(invitation.subject);
    expect(mail!.headers.get('content-type')).toMatch(/^multipart\/alternative;/);
    expect(mail!.source).toMatch(/^Content-Transfer-Encoding: quoted-printable$/m);
    expect(mail!.text).toBe(invitation.text);
    expect(mail!.html).toBe(invitation.html);
  });

  it('sends a resend with the same Message-ID', async () => {
    const mailer = createSmtpMailer({ url: sink.peer!.url, from, logger });
    const reminder = { ...invitation, messageId: 'reminder.1' };
    await mailer.send(reminder);
    await mailer.send(reminder);
    await mailer.close();
    const ids = (await sink.peer!.messages()).map((m) => m.headers.get('message-id'));
    expect(ids.filter((id) => id === '<reminder.1@cloudventory>')).toHaveLength(2);
  });
});

describe('SMTP mailer errors', () => {
  it('names the SMTP server, never the password, when nothing listens there', async () => {
    const port = await freePort();
    const mailer = createSmtpMailer({ url: `smtp://mailer:hunter2@127.0.0.1:${port}`, from, logger });
    const sending = mailer.send(invitation);
    await expect(sending).rejects.toThrow(`SMTP server 127.0.0.1:${port} did not accept mail ${invitation.messageId}`);
    await expect(sending).rejects.toThrow(/ECONNREFUSED/);
    await expect(sending).rejects.not.toThrow(/hunter2/);
    await mailer.close();
  });

  it('keeps the recipient out of the error (it is logged and kept) when the server refuses the address', async () => {
    // Just enough SMTP to be told no at RCPT TO, naming the address as real servers do.
    const server = createServer((socket) => {
      socket.write('220 refusing.example ESMTP\r\n');
      socket.on('data', (chunk) => {
        for (const line of chunk.toString().split('\r\n').filter(Boolean)) {
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO' || verb === 'HELO' || verb === 'MAIL') socket.write('250 OK\r\n');
          else if (verb === 'RCPT') socket.write(`550 5.1.1 ${line.slice(line.indexOf('<'))}: Recipient address rejected\r\n`);
          else if (verb === 'QUIT') socket.end('221 Bye\r\n');
          else socket.write('502 Not implemented\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, from, logger });
    const error = await mailer.send(invitation).then(() => undefined, (e: unknown) => e as Error);
    await mailer.close();
    server.close();

    expect(error?.message).toMatch(/Recipient address rejected/);
    const lines: string[] = [];
    pino(loggerOptions('info'), { write: (line: string) => void lines.push(line) }).warn({ err: error }, 'mail delivery failed; will retry');
    expect(lines.join('')).toContain('Recipient address rejected');
    expect(lines.join('')).not.toContain('zoe@example.com');
  });

  it('refuses a messageId that would not be a safe header or file name', async () => {
    const mailer = createSmtpMailer({ url: 'smtp://127.0.0.1:1', from, logger });
    await expect(mailer.send({ ...invitation, messageId: '../outside' })).rejects.toThrow(/^Mail messageId "\.\.\/outside" must be/);
    await mailer.close();
  });
});
