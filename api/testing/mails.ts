import type { MailMessage } from '../../domain/mail/mailer.ts';
import type { ComposeMail, MailContext } from '../../projections/mail/message.ts';
import { recipientOf } from '../../projections/mail/recipient.ts';
import type { RunningServer } from '../server.ts';

/** What the mail worker would be given: the server's vault, recipients from the log, PUBLIC_URL. */
export const mailContext = (server: RunningServer): MailContext => ({
  vault: server.context.vault,
  recipient: (id) => recipientOf(server.stores.events, server.context.vault, id),
  publicUrl: server.context.config.publicUrl,
});

/** The mails a composer makes of a stream's recorded events, in order. */
export async function mailsOf(server: RunningServer, stream: string, compose: ComposeMail): Promise<MailMessage[]> {
  const mails: MailMessage[] = [];
  for await (const event of server.stores.events.readStream(stream)) mails.push(...(await compose(event, mailContext(server))));
  return mails;
}

/** The first link in a mail's text that starts with `prefix`. */
export function linkIn(mail: MailMessage | undefined, prefix: string): URL {
  const found = mail?.text.split(/\s/).find((word) => word.startsWith(prefix));
  if (!found) throw new Error(`no link starting with ${prefix} in ${mail?.subject ?? 'a missing mail'}`);
  return new URL(found);
}

/** The types of a stream's recorded events, in order. */
export async function eventTypesOf(server: RunningServer, stream: string): Promise<string[]> {
  const types: string[] = [];
  for await (const event of server.stores.events.readStream(stream)) types.push(event.type);
  return types;
}
