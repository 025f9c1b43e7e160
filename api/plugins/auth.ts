import fastifyCookie from '@fastify/cookie';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, NotFoundError } from '../../domain/errors.ts';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../domain/identity/session.ts';
import { can, type Permission, type Role } from '../../domain/organizations/roles.ts';
import type { Document } from '../../domain/read-models/document-store.ts';
import { mfaQueries } from '../../projections/identity/mfa.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { organizationQueries } from '../../projections/organizations/queries.ts';
import type { AppContext } from '../context.ts';

export const SESSION_COOKIE = 'cv_session';
const ACTIVITY = 'session_activity';
/** Last-seen times are written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

interface SessionActivity extends Document {
  lastSeenAt: string;
}

export interface Authenticated {
  userId: string;
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route: anyone, or a signed-in user (the default). */
    access?: 'public' | 'user';
    /** For routes with an `:orgId` parameter (required there): what the caller's role must allow. */
    permission?: Permission;
  }
  interface FastifyRequest {
    auth?: Authenticated;
    /** The caller's role in the organisation named in the path. */
    role?: Role;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    /** A session token, or a sign-in challenge awaiting its second factor (api/routes/mfa.ts). */
    payload: { sid: string; sub: string } | { sub: string; purpose: 'mfa' };
    user: { sid: string; sub: string };
  }
}

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What stays open to a user who must set up MFA first: enough to see why, set it up, or leave. */
const openDuringMfaEnrollment = (request: FastifyRequest) => {
  const route = request.routeOptions.url ?? '';
  return (request.method === 'GET' && route === '/api/me') || route.startsWith('/api/me/mfa/') || route === '/api/auth/logout';
};

/** A route of one organisation is one that declares an `:orgId` path parameter. */
export const isOrganizationRoute = (pattern: string) => /(?:^|\/):orgId(?:\/|$)/.test(pattern);

/**
 * One mechanism for every route, decided from the route the router matched, never from the raw
 * URL: the session cookie names a server-side session (revocable, with idle and absolute expiry);
 * every route is private unless its options say `access: 'public'`; a route with an `:orgId`
 * parameter answers 404 to anyone who is not a member there (so other organisations' objects do not
 * even exist for them) and 403 when the member's role lacks the route's permission. A request that
 * matches no route reaches only the not-found handler, which holds no data (api/plugins/web.ts).
 */
export async function registerAuth(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const identity = identityQueries(ctx.documents);
  const organizations = organizationQueries(ctx.documents);
  const mfa = mfaQueries(ctx.documents);
  const publicOrigin = new URL(ctx.config.publicUrl).origin;

  await app.register(fastifyCookie);
  await app.register(fastifyJwt, { secret: ctx.sessionSigningKey, cookie: { cookieName: SESSION_COOKIE, signed: false } });

  // CSRF: SameSite=Lax keeps the cookie off cross-site posts; the Origin check covers the rest. Only
  // the configured public address counts: the Host header is the client's to choose.
  app.addHook('onRequest', async (request) => {
    if (!unsafe.has(request.method) || !request.cookies[SESSION_COOKIE]) return;
    const origin = request.headers.origin ?? refererOrigin(request.headers.referer);
    if (origin !== publicOrigin) throw new AppError('FORBIDDEN', 'This request came from another site and was refused');
  });

  // Before the body is even parsed: to a non-member another organisation's routes do not exist.
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    request.auth = await authenticate(request);
    const route = request.routeOptions;
    if (route.config.access === 'public') return;
    if (!request.auth) throw new AppError('UNAUTHENTICATED', 'Please sign in');
    if (!openDuringMfaEnrollment(request) && (await mfa.enrollmentRequired(request.auth.userId)))
      throw new AppError('FORBIDDEN', 'An organisation you belong to requires multi-factor authentication; set it up to continue');
    if (!isOrganizationRoute(route.url ?? '')) return;
    const orgId = (request.params as { orgId?: unknown }).orgId;
    const membership = typeof orgId === 'string' ? await organizations.membership(orgId, request.auth.userId) : undefined;
    if (!membership) throw new NotFoundError('No such organisation');
    request.role = membership.role;
    const permission = route.config.permission;
    if (!permission || !can(membership.role, permission))
      throw new AppError('FORBIDDEN', `Your role in this organisation (${membership.role}) does not allow this; ask an owner or admin`);
  });

  async function authenticate(request: FastifyRequest): Promise<Authenticated | undefined> {
    if (!request.cookies[SESSION_COOKIE]) return undefined;
    let claims: { sid?: unknown; sub: string; purpose?: unknown };
    try {
      claims = await request.jwtVerify<{ sid?: unknown; sub: string; purpose?: unknown }>({ onlyCookie: true });
    } catch {
      return undefined;
    }
    // Only a session token names a session: a sign-in challenge is never a session.
    if (typeof claims.sid !== 'string' || claims.purpose !== undefined) return undefined;
    const session = await identity.session(claims.sid);
    const now = ctx.now();
    if (!session || session.userId !== claims.sub || session.revokedAt || Date.parse(session.expiresAt) <= now.getTime()) return undefined;
    const activity = ctx.documents.collection<SessionActivity>(ACTIVITY);
    const lastSeen = Date.parse((await activity.get(session._id))?.lastSeenAt ?? session.startedAt);
    if (now.getTime() - lastSeen > SESSION_IDLE_MS) return undefined;
    if (now.getTime() - lastSeen > TOUCH_EVERY_MS) await activity.upsert({ _id: session._id, lastSeenAt: now.toISOString() });
    return { userId: session.userId, sessionId: session._id };
  }
}

function refererOrigin(referer: string | undefined): string | undefined {
  try {
    return referer ? new URL(referer).origin : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when served over TLS. */
export async function setSessionCookie(reply: FastifyReply, ctx: AppContext, sessionId: string, userId: string): Promise<void> {
  const token = await reply.jwtSign({ sid: sessionId, sub: userId }, { expiresIn: Math.floor(SESSION_ABSOLUTE_MS / 1000) });
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: reply.request.protocol === 'https' || ctx.config.publicUrl.startsWith('https:'),
    path: '/',
    maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
