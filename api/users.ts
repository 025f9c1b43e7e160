import { user, userStream, type UserEvent, type UserState } from '../domain/identity/user.ts';
import type { AppContext } from './context.ts';

/** A user's current state from their stream (the source of truth), e.g. for checking a password. */
export async function loadUser(ctx: AppContext, userId: string): Promise<UserState> {
  let state = user.initialState();
  for await (const event of ctx.events.readStream(userStream(userId))) state = user.evolve(state, { type: event.type, data: event.data } as UserEvent);
  return state;
}
