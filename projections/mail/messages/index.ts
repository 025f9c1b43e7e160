import type { ComposeMail } from '../message.ts';
import { verificationMail } from './verification.ts';

/** Every kind of mail Cloudventory sends. Add a composer here when adding a mail. */
export const mailComposers: readonly ComposeMail[] = [verificationMail];
