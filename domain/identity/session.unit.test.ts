import { describe, it } from 'vitest';
import type { Sealed } from '../privacy/personal-data.ts';
import { given } from '../eventsourcing/specification.ts';
import { emailReservation } from './email-reservation.ts';
import { SESSION_ABSOLUTE_MS, session } from './session.ts';

const now = new Date('2026-11-27T10:00:00Z');
const sealed = 'pd1.x' as Sealed;
const started = {
  type: 'SessionStarted' as const,
  data: { sessionId: 's1', userId: 'u1', startedAt: now.toISOString(), expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString(), userAgent: sealed, ip: sealed, mfa: false },
};

describe('session', () => {
  it('starts once, with its absolute expiry', () => {
    given(session, []).when({ type: 'StartSession', sessionId: 's1', userId: 'u1', now, userAgent: sealed, ip: sealed, mfa: false }).then([started]);
    given(session, [started]).when({ type: 'StartSession', sessionId: 's1', userId: 'u1', now, userAgent: sealed, ip: sealed, mfa: false }).thenThrows('CONFLICT');
  });

  it('is revoked once; revoking again or an unknown session changes nothing', () => {
    const revoked = { type: 'SessionRevoked' as const, data: { sessionId: 's1', userId: 'u1', reason: 'signed_out' as const } };
    given(session, [started]).when({ type: 'RevokeSession', reason: 'signed_out' }).then([revoked]);
    given(session, [started, revoked]).when({ type: 'RevokeSession', reason: 'revoked' }).then([]);
    given(session, []).when({ type: 'RevokeSession', reason: 'revoked' }).then([]);
  });
});

describe('e-mail reservation', () => {
  const reserved = { type: 'EmailReserved' as const, data: { userId: 'u1' } };

  it('gives an address to one user only', () => {
    given(emailReservation, []).when({ type: 'ReserveEmail', userId: 'u1' }).then([reserved]);
    given(emailReservation, [reserved]).when({ type: 'ReserveEmail', userId: 'u1' }).then([]);
    given(emailReservation, [reserved]).when({ type: 'ReserveEmail', userId: 'u2' }).thenThrows('CONFLICT', /already exists/);
  });

  it('can be released by its holder only, and taken again after', () => {
    const released = { type: 'EmailReleased' as const, data: { userId: 'u1' } };
    given(emailReservation, [reserved]).when({ type: 'ReleaseEmail', userId: 'u2' }).then([]);
    given(emailReservation, [reserved]).when({ type: 'ReleaseEmail', userId: 'u1' }).then([released]);
    given(emailReservation, [reserved, released]).when({ type: 'ReserveEmail', userId: 'u2' }).then([{ type: 'EmailReserved', data: { userId: 'u2' } }]);
  });
});
