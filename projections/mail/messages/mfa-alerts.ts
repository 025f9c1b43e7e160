import { layout, greeting, type ComposeMail } from '../message.ts';

const alerts = {
  MfaEnabled: {
    subject: 'Multi-factor authentication is now on for your Cloudventory account',
    paragraphs: ['Multi-factor authentication was turned on for your account: signing in now also asks for a code from your authenticator app.'],
  },
  MfaDisabled: {
    subject: 'Multi-factor authentication was turned off for your Cloudventory account',
    paragraphs: ['Multi-factor authentication was turned off for your account: signing in now needs only your password.'],
  },
} as const;

/** A security alert to the account's address whenever its second factor is turned on or off. */
export const mfaAlertMail: ComposeMail = async (event, ctx) => {
  if (event.type !== 'MfaEnabled' && event.type !== 'MfaDisabled') return [];
  const user = await ctx.recipient(event.stream.slice('mfa-'.length));
  if (!user) return [];
  const alert = alerts[event.type];
  return [
    {
      messageId: `${event.eventId}.mfa-alert`,
      to: user.email,
      subject: alert.subject,
      ...layout({
        greeting: greeting(user.firstName),
        paragraphs: [...alert.paragraphs, 'If this was not you, reset your password at once and contact your organisation owner.'],
        footer: 'You are receiving this security alert because of your Cloudventory account.',
      }),
    },
  ];
};
