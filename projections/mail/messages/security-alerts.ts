import { greeting, layout, type ComposeMail } from '../message.ts';

const alerts = {
  PasswordChanged: {
    subject: 'Your Cloudventory password was changed',
    paragraph: 'The password of your Cloudventory account was changed and every session was signed out; only the device that made the change was signed in again.',
  },
  PasswordReset: {
    subject: 'Your Cloudventory password was reset',
    paragraph: 'The password of your Cloudventory account was reset with a link sent to this address, and every session was signed out.',
  },
} as const;

/** A security alert to the account's address whenever its password changes, whichever way. */
export const passwordAlertMail: ComposeMail = async (event, ctx) => {
  if (event.type !== 'PasswordChanged' && event.type !== 'PasswordReset') return [];
  const user = await ctx.recipient(event.stream.slice('user-'.length));
  if (!user) return [];
  const alert = alerts[event.type];
  return [
    {
      messageId: `${event.eventId}.password-alert`,
      to: user.email,
      subject: alert.subject,
      ...layout({
        greeting: greeting(user.firstName),
        paragraphs: [alert.paragraph, 'If this was not you, reset your password at once and contact your organisation owner.'],
        footer: 'You are receiving this security alert because of your Cloudventory account.',
      }),
    },
  ];
};
