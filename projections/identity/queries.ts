import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import { readModel } from '../generations.ts';
import type { SessionDocument, UserDocument } from './identity.ts';

/** The questions the API asks of the identity read models. */
export const identityQueries = (store: DocumentStore) => {
  const users = () => readModel<UserDocument>(store, 'identity', 'users');
  const sessions = () => readModel<SessionDocument>(store, 'identity', 'sessions');
  return {
    user: async (userId: string) => (await users()).get(userId),
    userByEmailHash: async (emailHash: string) => (await (await users()).find({ emailHash }, { limit: 1 }))[0],
    session: async (sessionId: string) => (await sessions()).get(sessionId),
    activeSessionsOf: async (userId: string, now: Date) =>
      (await sessions()).find({ userId, revokedAt: null, expiresAt: { $gt: now.toISOString() } }, { sort: [['startedAt', -1]] }),
  };
};

export type IdentityQueries = ReturnType<typeof identityQueries>;
