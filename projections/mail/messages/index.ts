import type { ComposeMail } from '../message.ts';
import { invitationMail } from './invitation.ts';
import { emailChangeMails } from './email-change.ts';
import { passwordResetMail } from './password-reset.ts';
import { securityAlertMail } from './security-alerts.ts';
import { signUpAttemptMail } from './sign-up-attempt.ts';
import { verificationMail } from './verification.ts';

/** Every kind of mail Cloudventory sends. Add a composer here when adding a mail. */
export const mailComposers: readonly ComposeMail[] = [verificationMail, passwordResetMail, securityAlertMail, emailChangeMails, invitationMail, signUpAttemptMail];
