import { z } from 'zod';
import { ConflictError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, type EventOf } from '../eventsourcing/event-schemas.ts';
import { sealed, type Sealed } from '../privacy/personal-data.ts';

/** A signed-in session, one stream each, so sign-ins never grow the user's own stream. */
export const sessionStream = (sessionId: string) => `session-${sessionId}`;

/** A session ends after this long without a request ... */
export const SESSION_IDLE_MS = 8 * 3600_000;
/** ... and after this long in any case. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;

const sessionRevocationReason = z.enum(['signed_out', 'revoked', 'signed_out_everywhere', 'password_changed', 'password_reset']);
export type SessionRevocationReason = z.infer<typeof sessionRevocationReason>;

export const sessionEvents = defineEvents({
  SessionStarted: z.object({ sessionId: z.string(), userId: z.string(), startedAt: z.string(), expiresAt: z.string(), userAgent: sealed, ip: sealed, mfa: z.boolean() }),
  SessionRevoked: z.object({ sessionId: z.string(), userId: z.string(), reason: sessionRevocationReason }),
});
export type SessionEvent = EventOf<typeof sessionEvents>;

export type SessionCommand =
  | { type: 'StartSession'; sessionId: string; userId: string; now: Date; userAgent: Sealed; ip: Sealed; mfa: boolean }
  | { type: 'RevokeSession'; reason: SessionRevocationReason };

export interface SessionState {
  userId?: string;
  sessionId?: string;
  revoked: boolean;
}

export const session: Decider<SessionCommand, SessionEvent, SessionState> = {
  events: sessionEvents,
  initialState: () => ({ revoked: false }),
  evolve: (state, event) =>
    event.type === 'SessionStarted' ? { ...state, userId: event.data.userId, sessionId: event.data.sessionId } : { ...state, revoked: true },
  decide: (command, state) => {
    if (command.type === 'StartSession') {
      if (state.sessionId) throw new ConflictError('This session already exists');
      const { sessionId, userId, userAgent, ip, mfa, now } = command;
      return [
        { type: 'SessionStarted', data: { sessionId, userId, startedAt: now.toISOString(), expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString(), userAgent, ip, mfa } },
      ];
    }
    if (!state.sessionId || state.revoked) return [];
    return [{ type: 'SessionRevoked', data: { sessionId: state.sessionId, userId: state.userId!, reason: command.reason } }];
  },
};
