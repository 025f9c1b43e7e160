import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { RunningServer } from '../server.ts';
import { strongPassword, type ApiClient } from './client.ts';

/**
 * Walking the API as documented: every operation of /api/openapi.json called with a valid request
 * built from its own schema, so a route added later is walked without anyone listing it.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  items?: JsonSchema;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}
export interface Operation {
  security?: Array<Record<string, string[]>>;
  'x-permission'?: string;
  responses?: Record<string, unknown>;
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
export type OpenApi = { paths: Record<string, Record<string, Operation>> };

export const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * Valid-looking values for fields whose rules the OpenAPI document cannot express (refinements), so
 * a request gets past validation and reaches the authorisation check. Add a field here when the walk
 * reports that it could not build a valid request for it.
 */
const knownValues: Record<string, unknown> = {
  email: 'walker@example.com',
  newEmail: 'walker-new@example.com',
  password: strongPassword,
  currentPassword: strongPassword,
  newPassword: strongPassword,
  timezone: 'Europe/London',
  token: 'w'.repeat(43),
  code: '123456',
  name: 'Walked',
  roleArn: 'arn:aws:iam::123456789012:role/Walked',
  accessKeyId: 'AKIAWALKERWALKER1234',
  // Compare needs from < to.
  from: '2026-01-01T00:00:00Z',
  to: '2026-01-02T00:00:00Z',
};

export function sample(schema: JsonSchema, name: string): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  const alternative = schema.anyOf?.[0] ?? schema.oneOf?.[0] ?? schema.allOf?.[0];
  if (alternative) return sample(alternative, name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, sample(schema.properties?.[key] ?? {}, key)]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, name));
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    default:
      return sampleString(schema, name);
  }
}

function sampleString(schema: JsonSchema, name: string): string {
  const candidates = [
    knownValues[name],
    schema.format === 'uuid' ? randomUUID() : undefined,
    schema.format === 'email' ? 'walker@example.com' : undefined,
    schema.format === 'date-time' ? new Date().toISOString() : undefined,
    'w'.repeat(Math.max(schema.minLength ?? 1, 1)),
    'w'.repeat(43),
    '123456',
  ];
  const fits = (value: unknown): value is string =>
    typeof value === 'string' &&
    value.length >= (schema.minLength ?? 0) &&
    value.length <= (schema.maxLength ?? Infinity) &&
    (!schema.pattern || new RegExp(schema.pattern, 'u').test(value));
  const found = candidates.find(fits);
  if (found === undefined) throw new Error(`The walk cannot build a valid value for "${name}" (${JSON.stringify(schema)}): add one to knownValues`);
  return found;
}

export const idParams = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

export async function openApiOf(server: RunningServer): Promise<OpenApi> {
  return (await (await fetch(`${server.url}/api/openapi.json`)).json()) as OpenApi;
}

/** Every documented operation, as [template, method, operation]. */
export const operationsOf = (openapi: OpenApi) =>
  Object.entries(openapi.paths).flatMap(([template, item]) => methods.filter((m) => item[m]).map((m) => [template, m, item[m]!] as const));

export interface WalkRequest {
  method: string;
  /** The request target exactly as sent: a path, or anything else an attacker might send. */
  target: string;
  headers: Record<string, string>;
  body?: string;
}

/** A valid request for an operation, with the given ids in its path (random ones for the rest). */
export function validRequest(server: RunningServer, client: ApiClient | undefined, method: (typeof methods)[number], template: string, operation: Operation, ids: Record<string, string>): WalkRequest {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? randomUUID());
  const query = new URLSearchParams();
  for (const p of operation.parameters ?? []) if (p.in === 'query' && p.required) query.set(p.name, String(sample(p.schema ?? {}, p.name)));
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  return {
    method: method.toUpperCase(),
    target: query.size > 0 ? `${path}?${query}` : path,
    headers: {
      origin: server.url,
      ...(client ? { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      ...(schema ? { 'content-type': 'application/json' } : {}),
    },
    ...(schema ? { body: JSON.stringify(sample(schema, 'body')) } : {}),
  };
}

/**
 * Sends a request over a raw socket, with its target exactly as given (fetch would tidy it up), and
 * answers the status and the start of the body; a stream that stays open is cut after a moment.
 */
export function send(server: RunningServer, request: WalkRequest): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: hostname, port, method: request.method, path: request.target, headers: request.headers }, (response) => {
      let body = '';
      const done = () => {
        clearTimeout(timer);
        response.destroy();
        resolve({ status: response.statusCode ?? 0, body: body.slice(0, 300) });
      };
      const timer = setTimeout(done, 500);
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', done);
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
