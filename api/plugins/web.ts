import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorBody } from './errors.ts';

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

/**
 * Serves the built SvelteKit app (web/build, a single-page app) on the API's port: its files are
 * the only routes that are public without saying so one by one, since they are the same for
 * everyone. A path no route matches is a JSON 404 under /api (405 with `Allow` when the path exists
 * for other methods) and the app's shell, which holds no data, for any other GET.
 */
export async function registerWeb(app: FastifyInstance, buildDir: string): Promise<void> {
  const shellFile = join(buildDir, 'index.html');
  // Read once, like the CSP taken from it (api/plugins/security-headers.ts): a rebuild needs a restart.
  const shell = existsSync(shellFile) ? readFileSync(shellFile, 'utf8') : undefined;
  if (shell !== undefined)
    await app.register(async (web) => {
      web.addHook('onRoute', (route) => {
        route.config = { ...route.config, access: 'public' };
      });
      await web.register(fastifyStatic, { root: buildDir, wildcard: false, index: ['index.html'] });
    });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = allowedMethods(app, path);
    if (allowed.length > 0)
      return reply.status(405).header('allow', allowed.join(', ')).send(errorBody('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; use ${allowed.join(' or ')}`));
    if (isApiPath(path) || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return reply.status(404).send(errorBody('NOT_FOUND', `No route for ${request.method} ${path}`));
    }
    if (shell === undefined) return reply.status(503).type('text/plain').send('The web app is not built yet: run `npm run build:web` (npm start does it for you).');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(shell);
  });
}

/**
 * The methods the path's own route takes. A path can also fit a parameter of a wider route
 * (`/connections/setup` fits `/connections/:connectionId`): only the routes that match it with the
 * fewest parameters, the most specific, speak for it.
 */
function allowedMethods(app: FastifyInstance, path: string): string[] {
  const matches = methods.flatMap((method) => {
    const found = app.findRoute({ method, url: path });
    return found ? [{ method, params: Object.keys(found.params).length }] : [];
  });
  const specific = Math.min(...matches.map((m) => m.params));
  return matches.filter((m) => m.params === specific).map((m) => m.method);
}
