import { randomUUID } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer } from '../../domain/mail/mailer.ts';
import type { Logger } from '../logger.ts';
import { octal, ownerOnlyDir } from '../owner-only.ts';
import { toNodemailerMail } from './smtp-mailer.ts';

export interface FileMailerOptions {
  /** Created on the first mail if missing. */
  dir: string;
  from: string;
  logger: Logger;
}

/**
 * With no SMTP server configured, each mail becomes an RFC 822 `.eml` file (the exact MIME message
 * SMTP would have carried, openable in any mail client) and the log says where: never dropped
 * silently.
 */
export function createFileMailer({ dir, from, logger }: FileMailerOptions): Mailer {
  const folder = resolve(dir);
  // CRLF line ends: what RFC 5322 prescribes, so the file is byte for byte a message on the wire.
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'files',
    async send(message) {
      const { message: eml } = await transport.sendMail(toNodemailerMail(from, message));
      if (!Buffer.isBuffer(eml)) throw new Error('nodemailer streamTransport returned a stream although buffer: true was asked for');
      // Owner-only, like the rest of DATA_DIR: mails carry addresses and sign-in links.
      const narrowing = ownerOnlyDir(folder);
      if (narrowing) logger.warn({ dir: folder }, `the mail folder was open to other users (${octal(narrowing.was)})${narrowing.narrowed ? ': narrowed to owner-only' : ' and belongs to another user: chmod 700 it'}`);
      // A resend of the same messageId within the same millisecond replaces its twin, the same mail.
      const path = join(folder, `${new Date().toISOString().replaceAll(':', '')}-${message.messageId}.eml`);
      await writeAtomically(path, eml);
      // Never the address or subject (personal data): the file's name carries the message id, which names the event.
      logger.info({ path }, 'mail written to a file (SMTP_URL is not set)');
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * A reader (a person, a test, a file watcher) never sees half a mail: the bytes go to a hidden
 * temporary name in the same folder, then one rename publishes them. Owner-only, because mails
 * carry addresses and sign-in links.
 */
async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const temporary = join(dirname(path), `.${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, bytes, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
