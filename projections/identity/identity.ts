import type { RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import { parseEventOf } from '../../domain/eventsourcing/registry.ts';
import type { SessionEvent } from '../../domain/identity/session.ts';
import type { UserEvent } from '../../domain/identity/user.ts';
import type { Document } from '../../domain/read-models/document-store.ts';
import type { PersonalDataVault, Sealed } from '../../domain/privacy/personal-data.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';

export interface UserDocument extends Document {
  email: string;
  emailHash: string;
  firstName: string | null;
  lastName: string | null;
  timezone: string;
  verified: boolean;
  createdAt: string;
}

export interface SessionDocument extends Document {
  userId: string;
  startedAt: string;
  expiresAt: string;
  userAgent: string;
  ip: string;
  mfa: boolean;
  revokedAt: string | null;
  revokedReason: string | null;
}

type IdentityEvent = UserEvent | SessionEvent;

const HANDLED = ['UserRegistered', 'VerificationMailRequested', 'EmailVerified', 'ProfileUpdated', 'EmailChanged', 'SessionStarted', 'SessionRevoked'] as const;

/** Users and their sessions, with personal data opened for display. */
export function identityProjection(vault: PersonalDataVault): Projection {
  const open = async (subject: string, sealed: Sealed | undefined) => (sealed ? ((await vault.open(subject, sealed)) ?? '[erased]') : null);

  async function applyUser(event: IdentityEvent & { type: UserEvent['type'] }, recorded: RecordedEvent, model: ReadModelWriter) {
    const users = model.collection<UserDocument>('users');
    const userId = recorded.stream.slice('user-'.length);
    switch (event.type) {
      case 'UserRegistered':
        await users.upsert({
          _id: userId,
          email: (await open(userId, event.data.email))!,
          emailHash: event.data.emailHash,
          firstName: await open(userId, event.data.firstName),
          lastName: await open(userId, event.data.lastName),
          timezone: event.data.timezone,
          verified: false,
          createdAt: recorded.metadata.occurredAt,
        });
        return;
      case 'EmailVerified':
        await users.updateMany({ _id: userId }, { $set: { verified: true } });
        return;
      case 'ProfileUpdated': {
        const { firstName, lastName, timezone } = event.data;
        const changes = {
          ...(firstName === undefined ? {} : { firstName: await open(userId, firstName ?? undefined) }),
          ...(lastName === undefined ? {} : { lastName: await open(userId, lastName ?? undefined) }),
          ...(timezone === undefined ? {} : { timezone }),
        };
        if (Object.keys(changes).length > 0) await users.updateMany({ _id: userId }, { $set: changes });
        return;
      }
      // The new address was proven by the link sent to it.
      case 'EmailChanged':
        await users.updateMany({ _id: userId }, { $set: { email: (await open(userId, event.data.email))!, emailHash: event.data.emailHash, verified: true } });
        return;
      case 'VerificationMailRequested':
      case 'PasswordResetRequested':
      case 'PasswordReset':
      case 'PasswordChanged':
      case 'EmailChangeRequested':
        return;
    }
  }

  return {
    name: 'identity',
    filter: { streamPrefixes: ['user-', 'session-'] },
    collections: {
      users: { indexes: [{ name: 'by_email_hash', fields: [['emailHash', 1]] }] },
      sessions: { indexes: [{ name: 'by_user', fields: [['userId', 1], ['startedAt', -1]] }] },
    },
    async apply(recorded, model) {
      const event = parseEventOf(recorded, HANDLED);
      if (!event) return;
      switch (event.type) {
        case 'UserRegistered':
        case 'VerificationMailRequested':
        case 'EmailVerified':
        case 'ProfileUpdated':
        case 'EmailChanged':
          return applyUser(event, recorded, model);
        case 'SessionStarted': {
          const { sessionId, userId, startedAt, expiresAt, mfa } = event.data;
          await model.collection<SessionDocument>('sessions').upsert({
            _id: sessionId,
            userId,
            startedAt,
            expiresAt,
            mfa,
            userAgent: (await open(userId, event.data.userAgent)) ?? '',
            ip: (await open(userId, event.data.ip)) ?? '',
            revokedAt: null,
            revokedReason: null,
          });
          return;
        }
        case 'SessionRevoked':
          await model
            .collection<SessionDocument>('sessions')
            .updateMany({ _id: event.data.sessionId, revokedAt: null }, { $set: { revokedAt: recorded.metadata.occurredAt, revokedReason: event.data.reason } });
          return;
      }
    },
  };
}
