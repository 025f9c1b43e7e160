import { describe, expect, it } from 'vitest';
import type { JsonSchema, OpenApiDocument } from './openapi.ts';
import { contractSource } from './typescript.ts';

const error: JsonSchema = { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] } }, required: ['error'] };
const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });

const document: OpenApiDocument = {
  openapi: '3.1.0',
  paths: {
    '/things/{id}': {
      put: {
        summary: 'Change a thing',
        parameters: [
          { in: 'path', name: 'id', required: true, schema: { type: 'string' } },
          { in: 'query', name: 'sort', schema: { type: 'string', enum: ['name', '-name'] } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { role: { type: 'string', enum: ['owner', 'viewer'] } }, required: ['role'] } } } },
        responses: { '204': {}, '400': json(error), '404': json(error) },
      },
      get: {
        responses: {
          '200': json({
            type: 'object',
            properties: {
              when: { type: ['string', 'null'] },
              tags: { type: 'object', additionalProperties: { type: 'string' } },
              either: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
              nested: { $ref: '#/components/schemas/Nested' },
              'odd-name': { description: 'Anything at all' },
            },
            required: ['when', 'tags', 'either'],
            additionalProperties: false,
          }),
          '503': json({ type: 'object', properties: { status: { const: "it's down" } }, required: ['status'] }),
        },
      },
    },
  },
  components: { schemas: { Nested: { type: 'integer' } } },
};

describe('the contract generator', () => {
  const source = contractSource(document);

  it('writes each schema as a TypeScript type', () => {
    expect(source).toContain(`        200: {
          'application/json': {
            either: (string | number)[];
            nested?: components['schemas']['Nested'];
            /** Anything at all */
            'odd-name'?: unknown;
            tags: Record<string, string>;
            when: string | null;
          };
        };`);
    expect(source).toContain(`        503: {
          'application/json': {
            status: 'it\\'s down';
          };
        };`);
    expect(source).toContain("    Nested: number;");
  });

  it('names the shape most error answers share once, and an answer without a body is never', () => {
    expect(source).toContain('export type ErrorBody = {');
    expect(source).toContain("        400: { 'application/json': ErrorBody };");
    expect(source).toContain('        204: never;');
  });

  it('writes parameters, the body and the summary of each operation', () => {
    expect(source).toContain(`    /** Change a thing */
    put: {
      parameters: {
        path: {
          id: string;
        };
        query: {
          sort?: 'name' | '-name';
        };
      };
      requestBody: {
        'application/json': {
          role: 'owner' | 'viewer';
        };
      };`);
  });

  it('gives the values of enumerated parameters and body fields, in the order the API lists them', () => {
    expect(source).toContain(`export const enums = {
  '/things/{id}': {
    put: {
      query: {
        sort: ['name', '-name'],
      },
      body: {
        role: ['owner', 'viewer'],
      },
    },
  },
} as const;`);
  });

  it('answers the same text whatever order the document lists paths, methods and properties in', () => {
    const reversed = JSON.parse(JSON.stringify(document), (_, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
    ) as OpenApiDocument;
    expect(contractSource(reversed)).toBe(source);
  });
});
