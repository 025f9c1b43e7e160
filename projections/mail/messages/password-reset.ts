import { parseEventOf } from '../../../domain/eventsourcing/registry.ts';
import { greeting, layout, type ComposeMail } from '../message.ts';

/** "I forgot my password": the link that sets a new one, to the account's current address. */
export const passwordResetMail: ComposeMail = async (event, ctx) => {
  const data = parseEventOf(event, ['PasswordResetRequested'])?.data;
  if (!data) return [];
  const userId = event.stream.slice('user-'.length);
  const user = await ctx.recipient(userId);
  const token = await ctx.vault.open(userId, data.reset.token);
  if (!user || !token) return [];
  const url = `${ctx.publicUrl}/reset-password?user=${encodeURIComponent(userId)}&token=${encodeURIComponent(token)}`;
  return [
    {
      messageId: `${event.eventId}.password-reset`,
      to: user.email,
      subject: 'Reset your Cloudventory password',
      ...layout({
        greeting: greeting(user.firstName),
        paragraphs: [
          'Someone asked to reset the password of your Cloudventory account. Follow the link to choose a new one. It works once and expires in one hour.',
          'Setting a new password signs you out everywhere.',
        ],
        action: { label: 'Choose a new password', url },
        footer: 'If you did not ask for this, ignore this mail: your password stays as it is.',
      }),
    },
  ];
};
