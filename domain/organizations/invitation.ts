import { ConflictError, ValidationError } from '../errors.ts';
import { checkToken } from '../identity/tokens.ts';

export type InvitationStatus = 'pending' | 'accepted' | 'revoked';

/** What an invitation link needs to be checked, whether it comes from the stream or a read model. */
export interface InvitationTicket {
  tokenHash: string;
  expiresAt: string;
  status: InvitationStatus;
}

/** The invitee is not a user yet: their address and token are sealed for the invitation itself. */
export const invitationSubject = (invitationId: string) => `invitation-${invitationId}`;

/**
 * An invitation link works once, for 7 days, while nobody has withdrawn it. Only someone who holds
 * the token learns why it does not work; everyone else gets the same "not valid".
 */
export function assertInvitationUsable<T extends InvitationTicket>(invitation: T | undefined, tokenHash: string, now: Date): T {
  if (!invitation || invitation.tokenHash !== tokenHash) throw new ValidationError('This invitation link is not valid');
  if (invitation.status === 'revoked') throw new ConflictError('This invitation has been withdrawn; ask for a new one');
  const outcome = checkToken({ expiresAt: invitation.expiresAt, ...(invitation.status === 'accepted' ? { usedAt: 'accepted' } : {}) }, now);
  if (outcome === 'used') throw new ConflictError('This invitation has already been accepted');
  if (outcome === 'expired') throw new ValidationError('This invitation has expired; ask for a new one');
  return invitation;
}

/** Pending, but past its date: shown as expired, and no obstacle to inviting the address again. */
export const isExpired = (invitation: InvitationTicket, now: Date) => invitation.status === 'pending' && Date.parse(invitation.expiresAt) <= now.getTime();
