import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { errorBody } from './errors.ts';

/**
 * Serves the built SvelteKit app (web/build, a single-page app) on the API's port. Unknown paths
 * under /api are JSON 404s; any other GET gets the app's shell, whose router takes it from there.
 */
export async function registerWeb(app: FastifyInstance, buildDir: string): Promise<void> {
  const built = existsSync(join(buildDir, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: buildDir, wildcard: false, index: ['index.html'] });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') || path === '/api' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return reply.status(404).send(errorBody('NOT_FOUND', `No route for ${request.method} ${path}`));
    }
    if (!built) return reply.status(503).type('text/plain').send('The web app is not built yet: run `npm run build:web` (npm start does it for you).');
    return reply.type('text/html').sendFile('index.html');
  });
}
