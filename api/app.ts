import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RunningProjection } from '../projections/runner.ts';
import type { AppContext } from './context.ts';
import { registerAuth } from './plugins/auth.ts';
import { registerErrorHandling } from './plugins/errors.ts';
import { registerWeb } from './plugins/web.ts';
import { authRoutes } from './routes/auth.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';

/** The HTTP application: every route declares its zod schemas, which validate and document it. */
export async function buildApp(ctx: AppContext, webBuildDir: string, reported: readonly RunningProjection[]): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
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
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'cv_session' } } },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  await registerAuth(app, ctx);
  await app.register(healthRoutes({ ...ctx, projections: reported }));
  await app.register(authRoutes(ctx));
  await app.register(meRoutes(ctx));
  await registerWeb(app, webBuildDir);
  return app;
}
