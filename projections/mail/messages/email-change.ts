import { parseEventOf } from '../../../domain/eventsourcing/registry.ts';
import { greeting, layout, type ComposeMail } from '../message.ts';

/**
 * A change of address sends two mails: the confirmation link to the new address (following it is the
 * proof that it is theirs), and an alert to the address being replaced, in case it was not them.
 */
export const emailChangeMails: ComposeMail = async (event, ctx) => {
  const data = parseEventOf(event, ['EmailChangeRequested'])?.data;
  if (!data) return [];
  const userId = event.stream.slice('user-'.length);
  const user = await ctx.recipient(userId);
  const [newEmail, currentEmail, token] = await Promise.all([ctx.vault.open(userId, data.newEmail), ctx.vault.open(userId, data.currentEmail), ctx.vault.open(userId, data.confirmation.token)]);
  if (!user || !newEmail || !currentEmail || !token) return [];
  const url = `${ctx.publicUrl}/confirm-email?user=${encodeURIComponent(userId)}&token=${encodeURIComponent(token)}`;
  return [
    {
      messageId: `${event.eventId}.email-change-confirm`,
      to: newEmail,
      subject: 'Confirm your new e-mail address for Cloudventory',
      ...layout({
        greeting: greeting(user.firstName),
        paragraphs: ['Please confirm that this is the new e-mail address of your Cloudventory account. The link works once and expires in 24 hours.'],
        action: { label: 'Confirm my new e-mail address', url },
        footer: 'If you did not ask for this, ignore this mail: nothing changes until the link is followed.',
      }),
    },
    {
      messageId: `${event.eventId}.email-change-alert`,
      to: currentEmail,
      subject: 'Someone asked to change the e-mail address of your Cloudventory account',
      ...layout({
        greeting: greeting(user.firstName),
        paragraphs: [
          `A change of your account's e-mail address to ${newEmail} was asked for. It takes effect once confirmed from the new address.`,
          'If this was not you, change your password at once and contact your organisation owner.',
        ],
        footer: 'You are receiving this security alert because of your Cloudventory account.',
      }),
    },
  ];
};
