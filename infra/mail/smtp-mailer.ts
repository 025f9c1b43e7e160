import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { MailMessage, Mailer } from '../../domain/mail/mailer.ts';
import type { Logger } from '../logger.ts';

export interface SmtpMailerOptions {
  /** `smtp://` or `smtps://`, optionally with user:password and nodemailer options as query parameters. */
  url: string;
  from: string;
  logger: Logger;
}

/**
 * nodemailer's defaults wait minutes on a silent server; the mail worker should fail soon and
 * retry instead. A `?connectionTimeout=…` in the URL still wins over these.
 */
const timeouts = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };

/** Sends each mail over its own SMTP connection to the server in the URL. */
export function createSmtpMailer({ url, from, logger }: SmtpMailerOptions): Mailer {
  const parsed = new URL(url);
  const server = describeServer(parsed);
  const transport = nodemailer.createTransport({ ...timeouts, url });
  return {
    kind: 'smtp',
    async send(message) {
      const mail = toNodemailerMail(from, message);
      try {
        const info = await transport.sendMail(mail);
        logger.debug({ messageId: message.messageId, server, response: info.response }, 'mail sent');
      } catch (error) {
        // Servers name the recipient in their refusals; this message is logged and kept in the outbox,
        // so addresses are cut out, and the original error (which has them) is not attached.
        const reason = withoutAddresses(withoutPassword((error as Error).message, parsed));
        throw Object.assign(new Error(`SMTP server ${server} did not accept mail ${message.messageId}: ${reason}`), { code: (error as { code?: unknown }).code });
      }
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * The nodemailer form of a mail, shared with the file mailer so that a file shows exactly what
 * SMTP would have sent.
 */
export function toNodemailerMail(from: string, message: MailMessage): SendMailOptions {
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(message.messageId)) {
    throw new Error(`Mail messageId "${message.messageId}" must be letters, digits, "_" and "-", in parts joined by "."`);
  }
  return { from, to: message.to, subject: message.subject, text: message.text, html: message.html, messageId: `<${message.messageId}@cloudventory>` };
}

/** host:port as nodemailer dials it (587, or 465 for smtps://, when the URL names no port); never the credentials. */
function describeServer(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`;
}

/** Any e-mail address in a server's answer (the recipient's, usually) replaced by a mark. */
const withoutAddresses = (text: string) => text.replace(/[^\s<>,;:"'()[\]]+@[^\s<>,;:"'()[\]]+/g, '[address]');

/** nodemailer keeps the password out of its messages; this makes sure, in both the URL's and the decoded spelling. */
function withoutPassword(text: string, url: URL): string {
  let decoded = url.password;
  try {
    decoded = decodeURIComponent(url.password);
  } catch {
    // a stray % in the URL: nodemailer sends it as written, so the raw spelling is the one to hide
  }
  return [url.password, decoded].filter((secret) => secret !== '').reduce((scrubbed, secret) => scrubbed.replaceAll(secret, '***'), text);
}
