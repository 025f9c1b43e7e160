import { join } from 'node:path';
import type { Mailer } from '../../domain/mail/mailer.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createFileMailer } from './file-mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';

/** Picks the adapter: the SMTP server when SMTP_URL is set, else `.eml` files in DATA_DIR/mail. */
export function openMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'>, logger: Logger): Mailer {
  if (config.smtpUrl) return createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom, logger });
  const dir = join(config.dataDir, 'mail');
  logger.info({ dir }, 'no SMTP_URL: mails are written as .eml files, not sent');
  return createFileMailer({ dir, from: config.mailFrom, logger });
}
