import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Decider, DomainEvent } from '../domain/eventsourcing/decider.ts';
import { handleCommand } from '../domain/eventsourcing/decider.ts';
import type { EventStore, Position } from '../domain/eventsourcing/event-store.ts';
import type { PersonalDataVault } from '../domain/privacy/personal-data.ts';
import type { DocumentStore } from '../domain/read-models/document-store.ts';
import type { Config } from '../infra/config.ts';
import type { Logger } from '../infra/logger.ts';
import type { RunningProjection } from '../projections/runner.ts';
import type { AwsClients } from '../scanner/aws/clients.ts';

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
  /** Keyed hash of a normalised e-mail address (see infra/keys/derive.ts). */
  emailIndex: (email: string) => string;
  sessionSigningKey: Buffer;
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
 * user agent are sealed for the actor (they are personal data). The idempotency key, when the client
 * sends one, becomes the command id, so a retried request cannot double its events.
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
  const result = await handleCommand(
    ctx.events,
    decider,
    stream,
    command,
    { commandId: commandId ?? idempotencyKey(request) ?? randomUUID(), actor: actor.userId, orgId: actor.orgId, correlationId: request.id, extra: { ip, userAgent } },
    ctx.now,
  );
  return result;
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' && /^[\w-]{8,100}$/.test(key) ? `${request.routeOptions.url}:${key}` : undefined;
}
