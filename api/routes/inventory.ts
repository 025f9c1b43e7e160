import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { inventoryQueries, SORT_KEYS, type InventoryFilters, type SortKey } from '../../projections/inventory/queries.ts';
import { RESOURCE_TYPES } from '../../domain/inventory/resource.ts';
import type { AppContext } from '../context.ts';
import { csvRows, jsonRows } from '../inventory/csv.ts';
import * as s from '../schemas.ts';

/** How far ahead of the server's clock an instant may be (clocks drift) before it is refused as in the future. */
const CLOCK_SKEW_MS = 60_000;
/** Export lines are sent in chunks of about this many characters rather than one write per line. */
const EXPORT_CHUNK = 64 * 1024;

/** Every query parameter is known: anything else is a mistake worth a 400 rather than a silent no-op. */
const strict = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown query parameter ${issue.keys.join(', ')}` : undefined) });

const instant = (name: string) =>
  z.iso.datetime({ offset: true, error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be an ISO 8601 instant with Z or an offset, such as 2026-11-27T10:00:00Z`) });
const limit = (max: number, fallback: number) =>
  z.coerce
    .number({ error: `limit must be a whole number from 1 to ${max}` })
    .int(`limit must be a whole number from 1 to ${max}`)
    .min(1, `limit must be a whole number from 1 to ${max}`)
    .max(max, `limit must be a whole number from 1 to ${max}`)
    .default(fallback);
// Cursors are base64url: saying so keeps every cursor the document allows within a URL's size.
const cursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/, 'cursor is not one this API gave out')
  .max(4000, 'cursor is not one this API gave out')
  .optional();

const filterShape = {
  type: z.enum(RESOURCE_TYPES, { error: `type must be one of ${RESOURCE_TYPES.join(', ')}` }).optional(),
  region: z
    .string()
    .regex(/^(global|[a-z]{2}(-[a-z]+)+-\d{1,2})$/, 'region must be a region name such as eu-west-1, or global')
    .optional(),
  account: z
    .string()
    .regex(/^\d{12}$/, 'account must be a 12-digit AWS account id')
    .optional(),
};
const searchShape = {
  // AWS tag keys are 1 to 128 characters, values up to 256: `Key:Value`, split at the first colon.
  tag: z
    .string()
    .refine((tag) => {
      const [key = '', ...value] = tag.split(':');
      return key.length >= 1 && key.length <= 128 && value.join(':').length <= 256;
    }, 'tag must be Key or Key:Value (a key of 1 to 128 characters, a value of at most 256)')
    .optional(),
  q: z
    .string()
    .min(1, 'q must be 1 to 200 characters')
    // Lower-cased for the search, which some letters lengthen (İ): checked here, before an export has started streaming.
    .refine((q) => [...q.toLowerCase()].length <= 200, 'q must be 1 to 200 characters')
    .optional(),
};
const sortTokens = [...SORT_KEYS, ...SORT_KEYS.map((key) => `-${key}` as const)] as const;

const listQuery = strict({
  asOf: instant('asOf').optional(),
  ...filterShape,
  ...searchShape,
  sort: z.enum(sortTokens, { error: `sort must be one of ${sortTokens.join(', ')}` }).default('name'),
  cursor,
  limit: limit(500, 50),
});
const summaryQuery = strict({ asOf: instant('asOf').optional(), ...filterShape });
const compareQuery = strict({ from: instant('from'), to: instant('to'), ...filterShape, ...searchShape, limit: limit(5000, 500) });
const exportQuery = strict({ format: z.enum(['csv', 'json'], { error: 'format must be csv or json' }).default('csv'), asOf: instant('asOf').optional(), ...filterShape, ...searchShape });
const resourceQuery = strict({ asOf: instant('asOf').optional() });
const historyQuery = strict({ cursor, limit: limit(200, 50) });
const topologyQuery = strict({
  asOf: instant('asOf').optional(),
  account: filterShape.account,
  region: filterShape.region,
  vpc: z
    .string()
    .regex(/^(vpc-[0-9a-f]{1,40}|arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:vpc\/vpc-[0-9a-f]{1,40})$/, 'vpc must be a VPC id (vpc-…) or a VPC ARN')
    .optional(),
});

const orgParams = z.object({ orgId: s.id });
const resourceParams = z.object({ orgId: s.id, key: z.string().regex(/^[A-Za-z0-9_-]{1,4000}$/, 'key must be a resource key (the base64url of its ARN)') });

const summary = z.object({
  key: z.string(),
  arn: z.string(),
  type: z.string(),
  name: z.string(),
  accountId: z.string(),
  region: z.string(),
  connectionId: z.string(),
  tags: z.record(z.string(), z.string()),
  validFrom: z.string(),
});
const freshness = z.object({
  asOf: z.string(),
  scopes: z.array(z.object({ accountId: z.string(), region: z.string(), type: z.string(), lastCompleteAt: z.string().nullable(), status: z.enum(['fresh', 'stale', 'unknown']) })),
  /** Scopes never listed completely at or before asOf. */
  unknown: z.number(),
  /** Scopes whose last complete listing is more than 24 h before asOf. */
  stale: z.number(),
});

/** Instants are answered in UTC; one more than a minute ahead of our clock is a mistake. */
function instantOf(ctx: AppContext, name: string, value: string | undefined): string {
  const now = ctx.now();
  if (value === undefined) return now.toISOString();
  const at = new Date(value);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new ValidationError(`${name} is in the future`);
  return at.toISOString();
}

function filtersOf(query: { type?: string | undefined; region?: string | undefined; account?: string | undefined; tag?: string | undefined; q?: string | undefined }): InventoryFilters {
  let tag: InventoryFilters['tag'];
  if (query.tag !== undefined) {
    const at = query.tag.indexOf(':');
    tag = at < 0 ? { key: query.tag } : { key: query.tag.slice(0, at), value: query.tag.slice(at + 1) };
  }
  return { type: query.type, region: query.region, account: query.account, tag, q: query.q };
}

/** Joins small pieces of text into chunks of about EXPORT_CHUNK characters: fewer, larger writes. */
async function* chunked(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = '';
  for await (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= EXPORT_CHUNK) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/**
 * The inventory as of any instant, what changed between two, one resource and its history, the
 * network graph and an export (each documented in /api/openapi.json). Every read is
 * scoped to the organisation in the path; another organisation's resources do not exist here.
 */
export function inventoryRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const inventory = inventoryQueries(ctx.documents);

  return async (app) => {
    app.get(
      '/api/orgs/:orgId/inventory',
      {
        config: { permission: 'inventory:read' },
        schema: {
          tags: ['inventory'],
          summary: 'The resources as of an instant (now by default), filtered, sorted and a page at a time, with their total and how fresh the listing behind them is',
          params: orgParams,
          querystring: listQuery,
          response: { 200: z.object({ asOf: z.string(), total: z.number(), resources: z.array(summary), nextCursor: z.string().nullable(), freshness }) },
        },
      },
      async (request) => {
        const { query } = request;
        const asOf = instantOf(ctx, 'asOf', query.asOf);
        const sort = { key: query.sort.replace(/^-/, '') as SortKey, descending: query.sort.startsWith('-') };
        const page = await inventory.page(request.params.orgId, { asOf, filters: filtersOf(query), sort, cursor: query.cursor, limit: query.limit });
        return { asOf, ...page };
      },
    );

    app.get(
      '/api/orgs/:orgId/inventory/summary',
      {
        config: { permission: 'inventory:read' },
        schema: {
          tags: ['inventory'],
          summary: 'How many resources there were at an instant, by type, region and account',
          params: orgParams,
          querystring: summaryQuery,
          response: {
            200: z.object({
              asOf: z.string(),
              total: z.number(),
              byType: z.array(z.object({ type: z.string(), count: z.number() })),
              byRegion: z.array(z.object({ region: z.string(), count: z.number() })),
              byAccount: z.array(z.object({ accountId: z.string(), count: z.number() })),
              freshness,
            }),
          },
        },
      },
      async (request) => {
        const asOf = instantOf(ctx, 'asOf', request.query.asOf);
        return { asOf, ...(await inventory.summary(request.params.orgId, { asOf, filters: filtersOf(request.query) })) };
      },
    );

    app.get(
      '/api/orgs/:orgId/inventory/compare',
      {
        config: { permission: 'inventory:read' },
        schema: {
          tags: ['inventory'],
          summary: 'What was added, removed and changed between two instants',
          params: orgParams,
          querystring: compareQuery,
          response: {
            200: z.object({
              from: z.string(),
              to: z.string(),
              counts: z.object({ added: z.number(), removed: z.number(), changed: z.number() }),
              added: z.array(summary),
              removed: z.array(summary),
              changed: z.array(summary.extend({ changedPaths: z.array(z.string()) })),
              truncated: z.boolean(),
              freshness: z.object({ from: freshness, to: freshness }),
            }),
          },
        },
      },
      async (request) => {
        const { query } = request;
        const to = instantOf(ctx, 'to', query.to);
        const from = instantOf(ctx, 'from', query.from);
        if (from >= to) throw new ValidationError('from must be before to');
        return { from, to, ...(await inventory.compare(request.params.orgId, { from, to, filters: filtersOf(query), limit: query.limit })) };
      },
    );

    app.get(
      '/api/orgs/:orgId/inventory/export',
      {
        config: { permission: 'inventory:read' },
        schema: {
          tags: ['inventory'],
          summary: 'Download the resources as of an instant, filtered, as CSV or JSON (streamed)',
          params: orgParams,
          querystring: exportQuery,
          response: {
            200: {
              description: 'The resources, one a line (CSV) or one an element (JSON)',
              content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.array(summary) } },
            },
          },
        },
      },
      async (request, reply) => {
        const { query } = request;
        const asOf = instantOf(ctx, 'asOf', query.asOf);
        const resources = inventory.export(request.params.orgId, { asOf, filters: filtersOf(query) });
        // The declared 200 describes what the stream carries; a stream is sent as it is, never serialised.
        const streaming: FastifyReply = reply;
        return streaming
          .header('content-type', query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="cloudventory-inventory-${asOf}.${query.format}"`)
          .send(Readable.from(chunked(query.format === 'csv' ? csvRows(resources) : jsonRows(resources))));
      },
    );

    app.get(
      '/api/orgs/:orgId/resources/:key',
      {
        config: { permission: 'inventory:read' },
        schema: {
          tags: ['inventory'],
          summary: 'One resource as it was at an instant (now by default): settings, tags and relationships',
          params: resourceParams,
          querystring: resourceQuery,
          response: {
            200: z.object({
              asOf: z.string(),
              resource: summary.extend({
                config: z.record(z.string(), z.unknown()),
                relationships: z.array(z.object({ kind: z.string(), target: z.string(), targetKey: z.string().nullable() })),
                validTo: z.string().nullable(),
                versionId: z.string(),
              }),
              freshness,
            }),
          },
        },
      },
      async (request) => {
        const asOf = instantOf(ctx, 'asOf', request.query.asOf);
        const found = await inventory.resource(request.params.orgId, request.params.key, asOf);
        if (!found) throw new NotFoundError(`This resource did not exist as of ${asOf}`);
        return { asOf, ...found };
      },
    );

    app.get(
      '/api/orgs/:orgId/resources/:key/history',
      {
        config: { permission: 'inventory:read' },
        schema: {
          tags: ['inventory'],
          summary: "A resource's versions, newest first, each with what changed against the one before",
          params: resourceParams,
          querystring: historyQuery,
          response: {
            200: z.object({
              key: z.string(),
              arn: z.string(),
              type: z.string(),
              name: z.string(),
              versions: z.array(
                z.object({
                  versionId: z.string(),
                  kind: z.enum(['discovered', 'changed', 'deleted', 'disconnected']),
                  validFrom: z.string(),
                  validTo: z.string().nullable(),
                  scanId: z.string(),
                  changes: z.array(z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })),
                }),
              ),
              nextCursor: z.string().nullable(),
            }),
          },
        },
      },
      async (request) => {
        const found = await inventory.history(request.params.orgId, request.params.key, request.query);
        if (!found) throw new NotFoundError('This resource never existed in this organisation');
        return found;
      },
    );

    app.get(
      '/api/orgs/:orgId/topology',
      {
        config: { permission: 'inventory:read' },
        schema: {
          tags: ['inventory'],
          summary: 'The network as of an instant: VPCs, subnets, instances, security groups, databases, functions and volumes, and how they connect',
          params: orgParams,
          querystring: topologyQuery,
          response: {
            200: z.object({
              asOf: z.string(),
              nodes: z.array(
                z.object({
                  id: z.string(),
                  key: z.string().nullable(),
                  type: z.string(),
                  name: z.string(),
                  accountId: z.string().nullable(),
                  region: z.string().nullable(),
                  parent: z.string().nullable(),
                  exposed: z.boolean(),
                }),
              ),
              edges: z.array(z.object({ source: z.string(), target: z.string(), kind: z.string() })),
              truncated: z.boolean(),
              freshness,
            }),
          },
        },
      },
      async (request) => {
        const { query } = request;
        const asOf = instantOf(ctx, 'asOf', query.asOf);
        return { asOf, ...(await inventory.topology(request.params.orgId, { asOf, account: query.account, region: query.region, vpc: query.vpc })) };
      },
    );
  };
}
