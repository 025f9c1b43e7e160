/**
 * The Mailer port: hands one finished e-mail to whatever delivers it. It decides nothing about
 * what to send or to whom; that is the mail worker's job.
 * Adapters: infra/mail/{smtp,file}-mailer.ts, picked by infra/mail/open-mailer.ts.
 */

export interface MailMessage {
  /**
   * Stable for one logical mail (e.g. derived from the event that caused it), so a resend carries
   * the same Message-ID header and can be recognised. Letters, digits, `.`, `_` and `-` only: it
   * becomes part of a header and of a file name.
   */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'files';
  /** Resolves once the mail is accepted (by the SMTP server, or written to disk); rejects otherwise. */
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}
