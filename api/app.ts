import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RunningProjection } from '../projections/runner.ts';
import type { AppContext } from './context.ts';
import { recordUsage } from '../infra/usage/access-log.ts';
import { registerAuth, SESSION_COOKIE } from './plugins/auth.ts';
import { refuseNonCanonicalPaths } from './plugins/canonical-path.ts';
import { enforceRouteContract } from './plugins/route-contract.ts';
import { registerRateLimits } from './plugins/rate-limits.ts';
import { registerErrorHandling } from './plugins/errors.ts';
import { registerSecurityHeaders } from './plugins/security-headers.ts';
import { registerWeb } from './plugins/web.ts';
import { auditRoutes } from './routes/audit.ts';
import { connectionRoutes } from './routes/connections.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { scanRoutes } from './routes/scans.ts';
import { scanEngineOf } from './scans/wiring.ts';
import { signInRoutes } from './routes/sign-ins.ts';
import { authRoutes } from './routes/auth.ts';
import { healthRoutes } from './routes/health.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { meRoutes } from './routes/me.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { mfaRoutes } from './routes/mfa.ts';
import { passwordRoutes } from './routes/password.ts';
import { profileRoutes } from './routes/profile.ts';
import { sessionRoutes } from './routes/sessions.ts';

/** The HTTP application: every route declares its zod schemas, which validate and document it. */
export async function buildApp(ctx: AppContext, webBuildDir: string, reported: readonly RunningProjection[]): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    trustProxy: ctx.config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  await registerSecurityHeaders(app, { publicUrl: ctx.config.publicUrl, webBuildDir });
  refuseNonCanonicalPaths(app);
  enforceRouteContract(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Cloudventory API', version: '0.1.0', description: 'AWS resource inventory and monitoring.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  await registerAuth(app, ctx);
  await registerRateLimits(app);
  const stopPurging = await recordUsage(app, { documents: ctx.documents, logger: ctx.logger, now: ctx.now, retentionDays: ctx.config.accessLogRetentionDays });
  app.addHook('onClose', async () => stopPurging());
  await app.register(healthRoutes({ ...ctx, projections: reported }));
  await app.register(authRoutes(ctx));
  await app.register(meRoutes(ctx));
  await app.register(passwordRoutes(ctx));
  await app.register(profileRoutes(ctx));
  await app.register(sessionRoutes(ctx));
  await app.register(organizationRoutes(ctx));
  await app.register(invitationRoutes(ctx));
  await app.register(mfaRoutes(ctx));
  await app.register(auditRoutes(ctx));
  await app.register(signInRoutes(ctx));
  await app.register(connectionRoutes(ctx));
  await app.register(scanRoutes(ctx, scanEngineOf(ctx)));
  await app.register(inventoryRoutes(ctx));
  await registerWeb(app, webBuildDir);
  return app;
}
