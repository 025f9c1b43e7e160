import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditEntry } from '../../projections/audit/audit-trail.ts';
import { auditPage, type AuditQuery } from '../../projections/audit/queries.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import type { AppContext } from '../context.ts';
import * as s from '../schemas.ts';

const filters = z.object({
  actor: s.id.optional(),
  action: z.string().regex(/^[A-Za-z]{1,80}$/, 'must be an action name such as MemberInvited').optional(),
  object: z.string().regex(/^[a-z]+-[\w-]{1,200}$/, 'must be an object such as org-<id>').optional(),
  from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
});
const pageQuery = filters.extend({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be 1 to 200').max(200, 'must be 1 to 200').default(50),
});
const exportQuery = filters.extend({ format: z.enum(['csv', 'json'], { error: 'must be csv or json' }).default('csv') });

const entry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ id: z.string(), email: z.string().nullable() }),
  action: z.string(),
  object: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
type EntryView = z.infer<typeof entry>;
const page = z.object({ entries: z.array(entry), nextCursor: z.string().nullable() });
/** An export's answer: streamed, one entry a line (CSV) or one an element (JSON). */
const exported = {
  200: { description: 'The entries, one a line (CSV) or one an element (JSON)', content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.array(entry) } } },
};

const csvCell = (value: string | null) => {
  const text = value ?? '';
  // A leading = + - @ would be run as a formula by spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** Who did what, when, from where, on which object: the organisation's trail and everyone's own. */
export function auditRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const identity = identityQueries(ctx.documents);

  async function view(entries: AuditEntry[]): Promise<EntryView[]> {
    const emails = new Map<string, string | null>();
    for (const actor of new Set(entries.map((e) => e.actor))) emails.set(actor, (await identity.user(actor))?.email ?? null);
    return entries.map((e) => ({ id: e._id, at: e.at, actor: { id: e.actor, email: emails.get(e.actor) ?? null }, action: e.action, object: e.stream, ip: e.ip, userAgent: e.userAgent }));
  }

  async function* everything(query: Omit<AuditQuery, 'cursor' | 'limit'>): AsyncGenerator<EntryView> {
    let cursor: string | undefined;
    do {
      const result = await auditPage(ctx.documents, { ...query, cursor, limit: 500 });
      yield* await view(result.entries);
      cursor = result.nextCursor ?? undefined;
    } while (cursor);
  }

  /** Streams the whole filtered trail, page by page, so memory stays flat whatever its size. */
  function download(reply: FastifyReply, format: 'csv' | 'json', query: Omit<AuditQuery, 'cursor' | 'limit'>) {
    const name = `cloudventory-audit-${ctx.now().toISOString().slice(0, 10)}.${format}`;
    async function* lines() {
      if (format === 'csv') {
        yield 'time,actor_id,actor_email,action,object,ip,user_agent\n';
        for await (const e of everything(query)) yield [e.at, e.actor.id, e.actor.email, e.action, e.object, e.ip, e.userAgent].map(csvCell).join(',') + '\n';
      } else {
        let first = true;
        yield '[';
        for await (const e of everything(query)) {
          yield (first ? '\n' : ',\n') + JSON.stringify(e);
          first = false;
        }
        yield '\n]\n';
      }
    }
    return reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(Readable.from(lines()));
  }

  return async (app) => {
    const orgParams = z.object({ orgId: s.id });

    app.get(
      '/api/orgs/:orgId/audit',
      { config: { permission: 'audit:read-organization' }, schema: { tags: ['audit'], summary: "The organisation's audit trail", params: orgParams, querystring: pageQuery, response: { 200: page } } },
      async (request) => {
        const result = await auditPage(ctx.documents, { ...request.query, orgId: request.params.orgId });
        return { entries: await view(result.entries), nextCursor: result.nextCursor };
      },
    );
    app.get(
      '/api/orgs/:orgId/audit/export',
      { config: { permission: 'audit:read-organization' }, schema: { tags: ['audit'], summary: "Download the organisation's audit trail", params: orgParams, querystring: exportQuery, response: exported } },
      async (request, reply) => download(reply, request.query.format, { ...request.query, orgId: request.params.orgId }),
    );
    app.get('/api/me/audit', { schema: { tags: ['audit'], summary: 'Your own actions', querystring: pageQuery.omit({ actor: true }), response: { 200: page } } }, async (request) => {
      const result = await auditPage(ctx.documents, { ...request.query, actor: request.auth!.userId });
      return { entries: await view(result.entries), nextCursor: result.nextCursor };
    });
    app.get('/api/me/audit/export', { schema: { tags: ['audit'], summary: 'Download your own actions', querystring: exportQuery.omit({ actor: true }), response: exported } }, async (request, reply) =>
      download(reply, request.query.format, { ...request.query, actor: request.auth!.userId }),
    );
  };
}
