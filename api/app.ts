import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EventStore } from '../domain/eventsourcing/event-store.ts';
import type { DocumentStore } from '../domain/read-models/document-store.ts';
import type { Logger } from '../infra/logger.ts';
import type { RunningProjection } from '../projections/runner.ts';
import { registerErrorHandling } from './plugins/errors.ts';
import { registerWeb } from './plugins/web.ts';
import { healthRoutes } from './routes/health.ts';

export interface AppDependencies {
  events: EventStore;
  documents: DocumentStore;
  projections: readonly RunningProjection[];
  logger: Logger;
  webBuildDir: string;
}

/** The HTTP application: every route declares its zod schemas, which validate and document it. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Cloudventory API', version: '0.1.0', description: 'AWS resource inventory and monitoring.' },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes(deps));
  await registerWeb(app, deps.webBuildDir);
  return app;
}
