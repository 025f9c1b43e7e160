import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.ts';

/** RFC 3986 unreserved characters: percent-encoding one of them is only ever a disguise. */
const encodedUnreserved = /%(?:[46][1-9a-f]|[57][0-9a]|3[0-9]|2d|2e|5f|7e)/i;
const malformedEscape = /%(?![0-9a-f]{2})/i;

/**
 * Why a request target is not in canonical form, or undefined when it is. The one rule: the target
 * is a path (not a full URL), with no empty, `.` or `..` segment, no backslash, no escaped
 * unreserved character, and the API's `/api` prefix in lower case. The router decodes what it
 * matches, so two spellings of one route must not exist: any other spelling is refused.
 */
export function nonCanonical(target: string): string | undefined {
  if (!target.startsWith('/')) return 'it is not a path';
  const path = target.split('?', 1)[0]!;
  if (path.includes('\\')) return 'it contains a backslash';
  if (malformedEscape.test(path)) return 'it contains a malformed percent-escape';
  if (encodedUnreserved.test(path)) return 'it percent-encodes a character that needs no encoding';
  const segments = path.split('/').slice(1);
  if (segments.slice(0, -1).some((segment) => segment === '')) return 'it contains an empty segment';
  if (segments.some((segment) => /^(?:\.|\.\.|%2e|\.%2e|%2e\.|%2e%2e)$/i.test(segment))) return 'it contains a dot segment';
  if (/^\/api(?:\/|$)/i.test(path) && !/^\/api(?:\/|$)/.test(path)) return 'the /api prefix is not in lower case';
  return undefined;
}

/** Refuses, before anything else runs, every request whose target is not in canonical form. */
export function refuseNonCanonicalPaths(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const why = nonCanonical(request.raw.url ?? '');
    if (why) throw new AppError('VALIDATION_FAILED', `This address is not in canonical form (${why}); use the address exactly as Cloudventory gives it`);
  });
}
