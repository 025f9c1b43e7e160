import { greeting, layout, type ComposeMail } from '../message.ts';

/** Events that change how an account is protected, and what the alert says about each. */
const alerts: Record<string, { subject: string; paragraph: string }> = {
  PasswordChanged: {
    subject: 'Your Cloudventory password was changed',
    paragraph: 'The password of your Cloudventory account was changed and every session was signed out; only the device that made the change was signed in again.',
  },
  PasswordReset: {
    subject: 'Your Cloudventory password was reset',
    paragraph: 'The password of your Cloudventory account was reset with a link sent to this address, and every session was signed out.',
  },
  MfaEnabled: {
    subject: 'Multi-factor authentication is now on for your Cloudventory account',
    paragraph: 'Multi-factor authentication was turned on for your account: signing in now also asks for a code from your authenticator app.',
  },
  MfaDisabled: {
    subject: 'Multi-factor authentication was turned off for your Cloudventory account',
    paragraph: 'Multi-factor authentication was turned off for your account: signing in now needs only your password.',
  },
};

/** A security alert to the account's address whenever its password or second factor changes. */
export const securityAlertMail: ComposeMail = async (event, ctx) => {
  const alert = alerts[event.type];
  if (!alert) return [];
  // The event is on the user's stream (user-<id>) or their MFA stream (mfa-<id>).
  const user = await ctx.recipient(event.stream.slice(event.stream.indexOf('-') + 1));
  if (!user) return [];
  return [
    {
      messageId: `${event.eventId}.security-alert`,
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
