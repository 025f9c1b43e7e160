import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { canonicalJson } from '../domain/canonical-json.ts';
import type { Decider, DomainEvent } from '../domain/eventsourcing/decider.ts';
import { handleCommand } from '../domain/eventsourcing/decider.ts';
import type { EventStore, Position } from '../domain/eventsourcing/event-store.ts';
import type { PersonalDataVault } from '../domain/privacy/personal-data.ts';
import type { DocumentStore } from '../domain/read-models/document-store.ts';
import type { Config } from '../infra/config.ts';
import type { Logger } from '../infra/logger.ts';
import type { RunningProjection } from '../projections/runner.ts';
import type { AwsClients } from '../scanner/aws/clients.ts';
import { isOrganizationRoute } from './plugins/auth.ts';

/** Everything a route needs, injected once by the composition root (time and ids included). */
export interface AppContext {
  config: Config;
  events: EventStore;
  documents: DocumentStore;
  vault: PersonalDataVault;
  projections: readonly RunningProjection[];
  logger: Logger;
  now: () => Date;
  newId: () => string;
  /** A uniformly random whole number from 0 up to `max` (exclusive), from a secure source: codes people type. */
  randomInt: (max: number) => number;
  /** Keyed hash of a normalised e-mail address (see infra/keys/derive.ts). */
  emailIndex: (email: string) => string;
  sessionSigningKey: Buffer;
  /** Keys the digests that tie an Idempotency-Key to its user, organisation and request (see `execute`). */
  requestDigestKey: Buffer;
  /** AWS SDK clients, all pointed at AWS or at the one configured endpoint (an emulator). */
  aws: AwsClients;
  /** The external id an organisation's AWS roles must require (see infra/keys/external-id.ts). */
  externalId: (orgId: string) => string;
}

/** How long a write waits for the projections to show it before answering anyway. */
const READ_YOUR_WRITES_MS = 3000;

/** Waits until every projection has applied the event at `position`, so the caller reads its own write. */
export async function projected(ctx: AppContext, position: Position | undefined): Promise<void> {
  if (position === undefined) return;
  await Promise.all(ctx.projections.map((p) => p.waitFor(position, READ_YOUR_WRITES_MS)));
}

export interface Actor {
  /** The user acting, or the user being created, or 'anonymous'. */
  userId: string;
  orgId?: string | undefined;
}

/**
 * Runs a command on behalf of a request: the audit metadata names the actor, and the source IP and
 * user agent are sealed for the actor (they are personal data). On an organisation's routes the
 * client's Idempotency-Key chooses the command id (see `idempotentCommand`), so a retried request is
 * answered as the first one was instead of doubling its events.
 */
export async function execute<Command, Event extends DomainEvent, State>(
  ctx: AppContext,
  request: FastifyRequest,
  actor: Actor,
  stream: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  { commandId }: { commandId?: string } = {},
) {
  const subject = actor.userId;
  const ip = await ctx.vault.seal(subject, request.ip);
  const userAgent = await ctx.vault.seal(subject, String(request.headers['user-agent'] ?? ''));
  const keyed = commandId === undefined ? idempotentCommand(ctx, request) : undefined;
  const result = await handleCommand(
    ctx.events,
    decider,
    stream,
    command,
    {
      commandId: commandId ?? keyed?.commandId ?? ctx.newId(),
      requestFingerprint: keyed?.requestFingerprint,
      actor: actor.userId,
      orgId: actor.orgId,
      correlationId: request.id,
      extra: { ip, userAgent },
    },
    ctx.now,
  );
  return result;
}


/** How many commands each keyed request has run: its steps (reserve, create, release, ...) never share an id. */
const commandsRun = new WeakMap<FastifyRequest, number>();

/**
 * The command id and request fingerprint an Idempotency-Key gives, or undefined where it is not
 * honoured. Deny by default: only an organisation's routes, known by the pattern the router matched
 * (never the raw URL), honour it; sign-in, MFA, password and token routes decide every request
 * afresh, so a fixed key cannot replay a success or hide a failure there. The id is a keyed digest of
 * the signed-in user, the organisation, the key and the command's step in the request, so no one can
 * name another user's command; the fingerprint (method, target, body as canonical JSON) is recorded
 * with the events, so the key coming back with a different request is refused (422), not replayed.
 */
function idempotentCommand(ctx: AppContext, request: FastifyRequest): { commandId: string; requestFingerprint: string } | undefined {
  const key = request.headers['idempotency-key'];
  const userId = request.auth?.userId;
  const { orgId } = request.params as { orgId?: unknown };
  if (typeof key !== 'string' || !/^[\w-]{8,100}$/.test(key) || !isOrganizationRoute(request.routeOptions.url ?? '')) return undefined;
  if (userId === undefined || typeof orgId !== 'string') return undefined;
  const step = commandsRun.get(request) ?? 0;
  commandsRun.set(request, step + 1);
  const digest = (parts: unknown[]) => createHmac('sha256', ctx.requestDigestKey).update(canonicalJson(parts)).digest('hex');
  return {
    commandId: digest(['command', userId, orgId, key, step]),
    requestFingerprint: digest(['request', request.method, request.url, request.body ?? null]),
  };
}
