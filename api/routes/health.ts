import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EventStore } from '../../domain/eventsourcing/event-store.ts';
import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import type { RunningProjection } from '../../projections/runner.ts';

const readiness = z.object({
  status: z.enum(['ready', 'catching_up', 'unavailable']),
  eventStore: z.enum(['sqlite', 'esdb']),
  documentStore: z.enum(['sqlite', 'mongo']),
  projections: z.record(z.string(), z.number().int().describe('events behind the head of the log')),
  message: z.string().optional(),
});

/** Projections further behind than this are still catching up; the service answers, but stale. */
const READY_LAG = 1000;

export function healthRoutes(deps: { events: EventStore; documents: DocumentStore; projections: readonly RunningProjection[] }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', { config: { access: 'public' }, schema: { tags: ['health'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({
      status: 'ok' as const,
    }));

    app.get(
      '/readyz',
      { config: { access: 'public' }, schema: { tags: ['health'], summary: 'Readiness: stores and projection lag', response: { 200: readiness, 503: readiness } } },
      async (_request, reply) => {
        const base = { eventStore: deps.events.kind, documentStore: deps.documents.kind };
        try {
          const lags = await Promise.all(deps.projections.map(async (p) => [p.name, await p.lag()] as const));
          const projections = Object.fromEntries(lags);
          const status = lags.every(([, lag]) => lag <= READY_LAG) ? ('ready' as const) : ('catching_up' as const);
          return { status, ...base, projections };
        } catch (error) {
          return reply.status(503).send({ status: 'unavailable', ...base, projections: {}, message: (error as Error).message });
        }
      },
    );
  };
}
