import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { MailMessage } from '../../domain/mail/mailer.ts';
import { loggerOptions } from '../logger.ts';
import { parseMail } from '../testing/maildir.ts';
import { createFileMailer } from './file-mailer.ts';
import { openMailer } from './open-mailer.ts';

const root = mkdtempSync(join(tmpdir(), 'cv-file-mailer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const from = 'Cloudventory <no-reply@cloudventory.local>';
const reset: MailMessage = {
  messageId: 'password-reset.5b7f6d0e-1c2a-4b3c-8d4e-9f0a1b2c3d4e',
  to: 'zoe@example.com',
  subject: 'Réinitialiser votre mot de passe',
  text: `Bonjour Zoë,\n\nOpen https://inventory.example.com/reset?token=${'y'.repeat(70)} to choose a new password.\n`,
  html: '<p>Bonjour Zoë,</p><p><a href="https://inventory.example.com/reset">Choose a new password</a>.</p>',
};

/** A real pino logger whose lines land in an array, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(loggerOptions('info'), { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('file mailer', () => {
  it('writes each mail as a multipart .eml file, creating the folder, and logs where', async () => {
    const dir = join(root, 'first', 'mail');
    const { logger, lines } = capturedLogger();
    const mailer = createFileMailer({ dir, from, logger });
    await mailer.send(reset);
    await mailer.close();

    const files = readdirSync(dir);
    expect(files).toHaveLength(1); // no temporary file left behind
    const name = files[0]!;
    expect(name).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{6}\\.\\d{3}Z-${reset.messageId.replaceAll('.', '\\.')}\\.eml$`));
    const path = join(dir, name);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const raw = readFileSync(path);
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/); // CRLF throughout, as on the wire
    const mail = parseMail(raw);
    expect(mail.headers.get('mime-version')).toBe('1.0');
    expect(mail.headers.get('content-type')).toMatch(/^multipart\/alternative; boundary=/);
    expect(mail.headers.get('message-id')).toBe(`<${reset.messageId}@cloudventory>`);
    expect(mail.headers.get('from')).toBe(from);
    expect(mail.headers.get('to')).toBe(reset.to);
    expect(mail.headers.get('subject')).toBe(reset.subject);
    expect(mail.text).toBe(reset.text);
    expect(mail.html).toBe(reset.html);

    expect(lines).toEqual([expect.objectContaining({ level: 30, path, msg: expect.stringContaining('file') })]);
    // The log names the file, never the recipient: addresses are personal data.
    expect(JSON.stringify(lines)).not.toContain(reset.to);
  });

  it('keeps every send, a resend included, as its own file', async () => {
    const dir = join(root, 'resends');
    const mailer = createFileMailer({ dir, from, logger: capturedLogger().logger });
    await mailer.send(reset);
    await new Promise((r) => setTimeout(r, 2)); // names are per millisecond: a resend within one replaces its twin
    await mailer.send(reset);
    expect(readdirSync(dir).filter((name) => name.endsWith(`-${reset.messageId}.eml`))).toHaveLength(2);
  });

  it('refuses a messageId that would escape the folder', async () => {
    const dir = join(root, 'escape');
    const mailer = createFileMailer({ dir, from, logger: capturedLogger().logger });
    await expect(mailer.send({ ...reset, messageId: '../../etc/x' })).rejects.toThrow(/messageId/);
    expect(readdirSync(root)).not.toContain('escape');
  });
});

describe('openMailer', () => {
  it('writes files under DATA_DIR/mail when no SMTP_URL is set', async () => {
    const dataDir = join(root, 'data');
    const { logger, lines } = capturedLogger();
    const mailer = openMailer({ dataDir, smtpUrl: undefined, mailFrom: from }, logger);
    expect(mailer.kind).toBe('files');
    await mailer.send(reset);
    await mailer.close();
    const [file] = readdirSync(join(dataDir, 'mail'));
    expect(lines.at(-1)).toMatchObject({ path: join(dataDir, 'mail', file!) });
  });

  it('sends through SMTP when SMTP_URL is set', async () => {
    const mailer = openMailer({ dataDir: join(root, 'unused'), smtpUrl: 'smtp://127.0.0.1:1', mailFrom: from }, capturedLogger().logger);
    expect(mailer.kind).toBe('smtp');
    await mailer.close();
  });
});
