import type { FastifyReply, FastifyRequest } from 'fastify';
import { comparePositions, type Position } from '../domain/eventsourcing/event-store.ts';
import { session, sessionStream, SESSION_IDLE_MS, type SessionRevocationReason } from '../domain/identity/session.ts';
import type { Document } from '../domain/read-models/document-store.ts';
import { identityQueries } from '../projections/identity/queries.ts';
import type { SessionDocument } from '../projections/identity/identity.ts';
import { execute, projected, type AppContext } from './context.ts';
import { setSessionCookie } from './plugins/auth.ts';

/** Where api/plugins/auth.ts records when each session was last used (not a projection: written per request). */
const SESSION_ACTIVITY = 'session_activity';

interface SessionActivity extends Document {
  lastSeenAt: string;
}

/** Starts a session and waits until the read model knows it, so the very next request is signed in. */
export async function startSession(ctx: AppContext, request: FastifyRequest, userId: string, mfa: boolean): Promise<string> {
  const sessionId = ctx.newId();
  const ip = await ctx.vault.seal(userId, request.ip);
  const userAgent = await ctx.vault.seal(userId, String(request.headers['user-agent'] ?? ''));
  const result = await execute(ctx, request, { userId }, sessionStream(sessionId), session, {
    type: 'StartSession',
    sessionId,
    userId,
    now: ctx.now(),
    ip,
    userAgent,
    mfa,
  });
  await projected(ctx, result.position);
  return sessionId;
}

/** Starts a session and hands its cookie to the browser. */
export async function signIn(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, userId: string, mfa: boolean): Promise<string> {
  const sessionId = await startSession(ctx, request, userId, mfa);
  await setSessionCookie(reply, ctx, sessionId, userId);
  return sessionId;
}

/** Ends one session and waits until the read model shows it, so its cookie stops working at once. */
export async function revokeSession(ctx: AppContext, request: FastifyRequest, userId: string, sessionId: string, reason: SessionRevocationReason): Promise<void> {
  const result = await execute(ctx, request, { userId }, sessionStream(sessionId), session, { type: 'RevokeSession', reason });
  await projected(ctx, result.position);
}

/**
 * Ends every session of the user (after a password change, a reset, "sign out everywhere"). Sessions
 * are found in the read model; one started in the same instant may not be there yet and survive.
 */
export async function revokeAllSessions(ctx: AppContext, request: FastifyRequest, userId: string, reason: SessionRevocationReason): Promise<void> {
  const sessions = await identityQueries(ctx.documents).activeSessionsOf(userId, ctx.now());
  const results = await Promise.all(sessions.map((s) => execute(ctx, request, { userId }, sessionStream(s._id), session, { type: 'RevokeSession', reason })));
  const positions = results.map((r) => r.position).filter((p): p is Position => p !== undefined);
  await projected(ctx, positions.sort(comparePositions).at(-1));
}

export interface ActiveSession extends SessionDocument {
  lastSeenAt: string;
}

/** The user's sessions that still let them in: not revoked, not expired, not idle for too long. */
export async function usableSessionsOf(ctx: AppContext, userId: string): Promise<ActiveSession[]> {
  const now = ctx.now();
  const sessions = await identityQueries(ctx.documents).activeSessionsOf(userId, now);
  const activity = ctx.documents.collection<SessionActivity>(SESSION_ACTIVITY);
  const withActivity = await Promise.all(sessions.map(async (s) => ({ ...s, lastSeenAt: (await activity.get(s._id))?.lastSeenAt ?? s.startedAt })));
  return withActivity.filter((s) => now.getTime() - Date.parse(s.lastSeenAt) <= SESSION_IDLE_MS);
}
