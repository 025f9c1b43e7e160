import type { FastifyInstance, RouteOptions } from 'fastify';
import type { ZodType } from 'zod';
import { errorResponse } from '../schemas.ts';
import { isOrganizationRoute } from './auth.ts';
import { isRateLimited } from './rate-limits.ts';

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The error answers a route can give, from what it declares: its access, method, inputs and limits. */
function errorAnswers(route: RouteOptions): Record<number, ZodType> {
  const methods = [route.method].flat();
  const isPublic = route.config?.access === 'public';
  const writes = methods.some((m) => unsafe.has(m));
  const hooks = [route.preHandler ?? []].flat();
  const statuses = [
    400, // input, or a request target not in canonical form (api/plugins/canonical-path.ts)
    ...(isPublic && !writes ? [] : [401]), // no session, or (signing in) wrong credentials
    ...(!isPublic || writes ? [403] : []), // a role, MFA enrolment, or a request from another site
    ...(!isPublic || route.schema?.params ? [404] : []),
    ...(writes ? [409, 412, 422] : []), // the state forbids it, a writer raced us, or a key was reused
    ...(route.schema?.body ? [413, 415] : []),
    ...(hooks.some(isRateLimited) ? [429] : []),
    500,
    503,
  ];
  return Object.fromEntries(statuses.map((status) => [status, errorResponse]));
}

/**
 * Holds every route to the house rules as it is registered, so a route added later cannot get them
 * wrong: a route of one organisation (an `:orgId` parameter) is never public and names the
 * permission it needs; every documented route says whether it needs a session, which permission
 * (`x-permission`), and declares its error answers in the one error shape.
 */
export function enforceRouteContract(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (isOrganizationRoute(route.url) && (route.config?.access === 'public' || !route.config?.permission))
      throw new Error(`${String(route.method)} ${route.url}: a route of one organisation must be private and name its permission`);
    if (!route.schema || route.schema.hide) return;
    const isPublic = route.config?.access === 'public';
    route.schema = {
      ...route.schema,
      security: isPublic ? [] : [{ session: [] }],
      ...(route.config?.permission ? { 'x-permission': route.config.permission } : {}),
      response: { ...errorAnswers(route), ...(route.schema.response as object | undefined) },
    };
  });
}
