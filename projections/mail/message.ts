import type { RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import type { MailMessage } from '../../domain/mail/mailer.ts';
import type { PersonalDataVault } from '../../domain/privacy/personal-data.ts';
import type { Recipient } from './recipient.ts';

export interface MailContext {
  vault: PersonalDataVault;
  /** A user's current address and name, from their stream (see recipient.ts). */
  recipient(userId: string): Promise<Recipient | undefined>;
  /** Links in mails start here (PUBLIC_URL). */
  publicUrl: string;
}

/**
 * Decides which mails an event causes, if any. One file per kind of mail in ./messages; the
 * message id must be derived from the event id, so that replaying the event composes the same
 * message and the outbox keeps it once.
 */
export type ComposeMail = (event: RecordedEvent, ctx: MailContext) => Promise<MailMessage[]>;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The one layout for every mail: a greeting, paragraphs, an optional button, a footer. */
export function layout(input: { greeting: string; paragraphs: string[]; action?: { label: string; url: string }; footer?: string }): { text: string; html: string } {
  const footer = input.footer ?? 'You are receiving this because of your Cloudventory account.';
  const text = [input.greeting, '', ...input.paragraphs.flatMap((p) => [p, '']), ...(input.action ? [`${input.action.label}: ${input.action.url}`, ''] : []), '—', footer].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family: system-ui, sans-serif; color: #1d2733; max-width: 36rem">',
    `<p>${escapeHtml(input.greeting)}</p>`,
    ...input.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    input.action
      ? `<p><a href="${escapeHtml(input.action.url)}" style="display: inline-block; padding: 0.6rem 1.2rem; background: #13294b; color: #fff; text-decoration: none; border-radius: 4px">${escapeHtml(input.action.label)}</a></p>`
      : '',
    `<p style="color: #57606a; font-size: 0.85rem">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return { text, html };
}

/** "Hello Ada," or "Hello," when the name is unknown. */
export const greeting = (firstName: string | null | undefined) => (firstName ? `Hello ${firstName},` : 'Hello,');
