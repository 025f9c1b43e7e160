import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { userActor } from '../../domain/organizations/actor.ts';
import { connectionQueries } from '../../projections/connections/queries.ts';
import type { FreshnessDocument, ScanDocument } from '../../projections/scans/scans.ts';
import { scanQueries } from '../../projections/scans/queries.ts';
import { projected, type AppContext } from '../context.ts';
import type { ScanEngine } from '../scans/engine.ts';
import { follow } from '../scans/follow.ts';
import { partitionAdvice } from '../scans/partition-advice.ts';
import * as s from '../schemas.ts';

const connectionParams = z.object({ orgId: s.id, connectionId: s.id });
const scanParams = z.object({ orgId: s.id, scanId: s.id });
const historyQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be 1 to 100').max(100, 'must be 1 to 100').default(20),
});

const outcome = z.enum(['ok', 'denied', 'throttled', 'failed', 'cancelled']);
const counts = z.object({ discovered: z.number(), changed: z.number(), deleted: z.number() });
const scanView = z.object({
  id: z.string(),
  connectionId: z.string(),
  trigger: z.enum(['manual', 'schedule']),
  requestedBy: z.string(),
  status: z.enum(['running', 'completed', 'partial', 'failed', 'cancelled']),
  cancelRequested: z.boolean(),
  requestedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  counts,
  progress: z.object({ finished: z.number(), total: z.number() }),
  partitions: z.array(
    counts.extend({
      key: z.string(),
      region: z.string(),
      collector: z.string(),
      types: z.array(z.string()),
      outcome: z.union([z.literal('pending'), outcome]),
      errorCode: z.string().nullable(),
      message: z.string().nullable(),
      /** AWS's error turned into what it means and what to do. */
      advice: z.string().nullable(),
      durationMs: z.number().nullable(),
    }),
  ),
});
type ScanView = z.infer<typeof scanView>;

const freshnessView = z.object({
  region: z.string(),
  type: z.string(),
  /** When Cloudventory last listed this type in this region completely; null: never, so unknown. */
  lastCompleteAt: z.string().nullable(),
  unknown: z.boolean(),
  lastOutcome: outcome.nullable(),
  lastAttemptAt: z.string().nullable(),
  lastScanId: z.string().nullable(),
});

const view = ({ _id, orgId: _orgId, partitions, ...scan }: ScanDocument): ScanView => ({
  id: _id,
  ...scan,
  partitions: partitions.map((p) => ({ ...p, advice: partitionAdvice(p) })),
});

const freshness = (f: FreshnessDocument): z.infer<typeof freshnessView> => ({
  region: f.region,
  type: f.type,
  lastCompleteAt: f.lastCompleteAt,
  unknown: f.lastCompleteAt === null,
  lastOutcome: f.lastOutcome,
  lastAttemptAt: f.lastAttemptAt,
  lastScanId: f.lastScanId,
});

/** How the event stream follows a scan; tests make it faster. */
export interface ScanStreamTiming {
  pollMs: number;
  heartbeatMs: number;
}

/**
 * Scans of an organisation's connections: start or join one, follow it live, cancel it, read the
 * history and how fresh each (region, type) is. Every read is scoped to the organisation in the path.
 */
export function scanRoutes(ctx: AppContext, engine: ScanEngine, timing: ScanStreamTiming = { pollMs: 500, heartbeatMs: 15_000 }): FastifyPluginAsyncZod {
  const scans = scanQueries(ctx.documents);
  const connections = connectionQueries(ctx.documents);

  async function scanOf(orgId: string, scanId: string) {
    const found = await scans.scan(orgId, scanId);
    if (!found) throw new NotFoundError('No such scan');
    return found;
  }
  async function assertConnection(orgId: string, connectionId: string) {
    if (!(await connections.connection(orgId, connectionId))) throw new NotFoundError('No such connection');
  }

  return async (app) => {
    // Open event streams end when the server closes, rather than holding its shutdown until their scans finish.
    const closing = new AbortController();
    app.addHook('preClose', async () => closing.abort());

    app.post(
      '/api/orgs/:orgId/connections/:connectionId/scans',
      {
        config: { permission: 'scans:start' },
        schema: {
          tags: ['scans'],
          summary: "Scan a connection's account now; joins the scan already running there, if any",
          params: connectionParams,
          response: { 202: z.object({ scanId: z.string(), joined: z.boolean() }) },
        },
      },
      async (request, reply) => {
        const { orgId, connectionId } = request.params;
        await assertConnection(orgId, connectionId);
        const { scanId, joined, position } = await engine.requestScan({ orgId, connectionId, actor: userActor(request.auth!.userId, request.role), trigger: 'manual' });
        await projected(ctx, position);
        return reply.status(202).send({ scanId, joined });
      },
    );

    app.get(
      '/api/orgs/:orgId/connections/:connectionId/scans',
      {
        config: { permission: 'connections:read' },
        schema: {
          tags: ['scans'],
          summary: "A connection's scans, newest first",
          params: connectionParams,
          querystring: historyQuery,
          response: { 200: z.object({ scans: z.array(scanView), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { orgId, connectionId } = request.params;
        await assertConnection(orgId, connectionId);
        const page = await scans.history(orgId, connectionId, request.query);
        return { scans: page.scans.map(view), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/api/orgs/:orgId/connections/:connectionId/freshness',
      {
        config: { permission: 'connections:read' },
        schema: {
          tags: ['scans'],
          summary: 'When each resource type in each region was last listed completely',
          params: connectionParams,
          response: { 200: z.object({ freshness: z.array(freshnessView) }) },
        },
      },
      async (request) => {
        const { orgId, connectionId } = request.params;
        await assertConnection(orgId, connectionId);
        return { freshness: (await scans.freshnessOf(orgId, connectionId)).map(freshness) };
      },
    );

    app.get(
      '/api/orgs/:orgId/scans/:scanId',
      { config: { permission: 'connections:read' }, schema: { tags: ['scans'], summary: 'One scan: status, progress, each partition', params: scanParams, response: { 200: z.object({ scan: scanView }) } } },
      async (request) => ({ scan: view(await scanOf(request.params.orgId, request.params.scanId)) }),
    );

    app.get(
      '/api/orgs/:orgId/scans/:scanId/events',
      {
        config: { permission: 'connections:read' },
        schema: {
          tags: ['scans'],
          summary: 'Follow a scan: server-sent `scan` events with the scan at once and on every change, then `end` once it has finished',
          params: scanParams,
          response: {
            200: {
              description: 'Server-sent events, each described here: `scan` with the scan as JSON (as GET …/scans/{scanId} answers it), then `end`',
              content: { 'text/event-stream': { schema: z.object({ event: z.enum(['scan', 'end']), data: z.string() }) } },
            },
          },
        },
      },
      async (request, reply) => {
        const { orgId, scanId } = request.params;
        await scanOf(orgId, scanId);
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        const signal = AbortSignal.any([gone.signal, closing.signal]);
        // Ended by a shutdown, the connection would otherwise idle on until the client drops it.
        const hangUp = () => reply.raw.once('finish', () => request.raw.socket.destroy());
        closing.signal.addEventListener('abort', hangUp, { once: true });
        reply.raw.once('close', () => closing.signal.removeEventListener('abort', hangUp));
        const load = async () => {
          const found = await scans.scan(orgId, scanId);
          return found && view(found);
        };
        // The declared 200 describes what the stream carries; a stream is sent as it is, never serialised.
        const streaming: FastifyReply = reply;
        return streaming
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache, no-transform')
          .header('connection', 'keep-alive')
          // Proxies such as nginx would otherwise hold the events back in a buffer.
          .header('x-accel-buffering', 'no')
          .send(Readable.from(follow(load, (scan) => scan.status !== 'running', { ...timing, signal })));
      },
    );

    app.post(
      '/api/orgs/:orgId/scans/:scanId/cancel',
      {
        config: { permission: 'scans:start' },
        schema: { tags: ['scans'], summary: 'Ask a running scan to stop; partitions already listed keep their results', params: scanParams, response: { 202: z.object({ scan: scanView }) } },
      },
      async (request, reply) => {
        const { orgId, scanId } = request.params;
        const scan = await scanOf(orgId, scanId);
        if (scan.status !== 'running') throw new ConflictError(`This scan has already finished (${scan.status}); there is nothing to cancel`);
        const result = await engine.cancelScan({ orgId, scanId, actor: userActor(request.auth!.userId, request.role) });
        await projected(ctx, positionOf(result));
        return reply.status(202).send({ scan: view(await scanOf(orgId, scanId)) });
      },
    );
  };
}

/** The engine's answer may carry the position of what it wrote: then the answer shows the cancellation. */
function positionOf(result: unknown) {
  const position = (result as { position?: unknown } | null | undefined)?.position;
  return typeof position === 'string' ? (position as Parameters<typeof projected>[1]) : undefined;
}
