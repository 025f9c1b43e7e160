import { aggregateStream } from '../domain/eventsourcing/aggregate-stream.ts';
import { user, userStream, type UserState } from '../domain/identity/user.ts';
import type { AppContext } from './context.ts';

/** A user's current state from their stream (the source of truth), e.g. for checking a password. */
export async function loadUser(ctx: AppContext, userId: string): Promise<UserState> {
  return (await aggregateStream(ctx.events, user, userStream(userId))).state;
}
