import { AppError, ConflictError, ValidationError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import type { Sealed } from '../privacy/personal-data.ts';
import { checkToken, type IssuedToken } from './tokens.ts';

export const userStream = (userId: string) => `user-${userId}`;

export type UserEvent =
  | {
      type: 'UserRegistered';
      data: { userId: string; email: Sealed; emailHash: string; firstName?: Sealed; lastName?: Sealed; timezone: string; passwordHash: string; verification: IssuedToken };
    }
  | { type: 'VerificationMailRequested'; data: { verification: IssuedToken } }
  | { type: 'EmailVerified'; data: { emailHash: string } };

export type UserCommand =
  | {
      type: 'RegisterUser';
      userId: string;
      email: Sealed;
      emailHash: string;
      firstName?: Sealed;
      lastName?: Sealed;
      timezone: string;
      passwordHash: string;
      verification: IssuedToken;
    }
  | { type: 'RequestVerificationMail'; verification: IssuedToken; now: Date }
  | { type: 'VerifyEmail'; tokenHash: string; now: Date };

export interface UserState {
  registered: boolean;
  userId?: string;
  emailHash?: string;
  passwordHash?: string;
  verified: boolean;
  verifications: Array<{ tokenHash: string; issuedAt: string; expiresAt: string; usedAt?: string }>;
}

/** How often a verification mail may be requested again. */
export const VERIFICATION_RESEND_INTERVAL_MS = 60_000;

const tokenState = ({ tokenHash, issuedAt, expiresAt }: IssuedToken) => ({ tokenHash, issuedAt, expiresAt });

function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return {
        ...state,
        registered: true,
        userId: event.data.userId,
        emailHash: event.data.emailHash,
        passwordHash: event.data.passwordHash,
        verifications: [tokenState(event.data.verification)],
      };
    case 'VerificationMailRequested':
      return { ...state, verifications: [...state.verifications, tokenState(event.data.verification)] };
    case 'EmailVerified':
      return { ...state, verified: true, verifications: state.verifications.map((v) => ({ ...v, usedAt: v.usedAt ?? 'verified' })) };
    default:
      return state;
  }
}

function decide(command: UserCommand, state: UserState): UserEvent[] {
  if (command.type === 'RegisterUser') {
    if (state.registered) throw new ConflictError('This user is already registered');
    const { type: _type, ...data } = command;
    return [{ type: 'UserRegistered', data }];
  }
  if (!state.registered) throw new AppError('NOT_FOUND', 'No such user');
  switch (command.type) {
    case 'RequestVerificationMail': {
      if (state.verified) throw new ConflictError('This e-mail address is already verified');
      const last = state.verifications.at(-1);
      if (last && command.now.getTime() - Date.parse(last.issuedAt) < VERIFICATION_RESEND_INTERVAL_MS)
        throw new AppError('RATE_LIMITED', 'A verification mail was sent less than a minute ago; check your inbox or try again shortly');
      return [{ type: 'VerificationMailRequested', data: { verification: command.verification } }];
    }
    case 'VerifyEmail': {
      const outcome = checkToken(state.verifications.find((v) => v.tokenHash === command.tokenHash), command.now);
      if (outcome === 'valid') return [{ type: 'EmailVerified', data: { emailHash: state.emailHash! } }];
      if (state.verified) throw new ConflictError('This e-mail address is already verified');
      if (outcome === 'expired') throw new ValidationError('This verification link has expired; ask for a new one');
      throw new ValidationError('This verification link is not valid');
    }
  }
}

export const user: Decider<UserCommand, UserEvent, UserState> = {
  initialState: () => ({ registered: false, verified: false, verifications: [] }),
  evolve,
  decide,
};
