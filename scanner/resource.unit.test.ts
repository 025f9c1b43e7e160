import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalise } from './resource.ts';
import { RESOURCE_TYPES, type NormalizedResource } from '../domain/inventory/resource.ts';

const bucket = (overrides: Partial<NormalizedResource> = {}): NormalizedResource => ({
  arn: 'arn:aws:s3:::logs',
  type: 's3:bucket',
  accountId: '123456789012',
  region: 'eu-west-1',
  name: 'logs',
  tags: {},
  config: {},
  relationships: [],
  ...overrides,
});

describe('normalise', () => {
  it('sorts config keys at every depth, drops undefined and writes dates as ISO strings', () => {
    const resource = normalise(
      bucket({ config: { z: 1, a: { y: [{ d: 1, c: undefined, b: new Date('2025-01-02T03:04:05Z') }], x: undefined }, m: [3, 1, 2] } }),
    );
    expect(JSON.stringify(resource.config)).toBe('{"a":{"y":[{"b":"2025-01-02T03:04:05.000Z","d":1}]},"m":[3,1,2],"z":1}');
  });

  it('sorts tags by key and relationships by kind then target, once each', () => {
    const resource = normalise(
      bucket({
        tags: { Team: 'data', Env: 'prod', app: 'x' },
        relationships: [
          { kind: 'in-vpc', target: 'b' },
          { kind: 'has-policy', target: 'z' },
          { kind: 'in-vpc', target: 'a' },
          { kind: 'in-vpc', target: 'b' },
        ],
      }),
    );
    expect(Object.keys(resource.tags)).toEqual(['Env', 'Team', 'app']);
    expect(resource.relationships).toEqual([
      { kind: 'has-policy', target: 'z' },
      { kind: 'in-vpc', target: 'a' },
      { kind: 'in-vpc', target: 'b' },
    ]);
  });

  it('puts the top-level keys in one order', () => {
    expect(Object.keys(normalise(bucket()))).toEqual(['arn', 'type', 'accountId', 'region', 'name', 'tags', 'config', 'relationships']);
  });

  it('serialises the same whatever order keys, tags and relationships arrive in', () => {
    const entries = fc.uniqueArray(fc.tuple(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), { selector: ([key]) => key });
    const relationships = fc.array(fc.record({ kind: fc.string(), target: fc.string() }));
    fc.assert(
      fc.property(entries, entries, relationships, (config, tags, rels) => {
        const forwards = bucket({ config: Object.fromEntries(config), tags: Object.fromEntries(tags.map(([k, v]) => [k, String(v)])), relationships: rels });
        const backwards = bucket({
          config: Object.fromEntries([...config].reverse()),
          tags: Object.fromEntries([...tags].reverse().map(([k, v]) => [k, String(v)])),
          relationships: [...rels].reverse(),
        });
        expect(JSON.stringify(normalise(backwards))).toBe(JSON.stringify(normalise(forwards)));
        expect(JSON.stringify(normalise(normalise(forwards)))).toBe(JSON.stringify(normalise(forwards)));
      }),
    );
  });

  it('knows the thirteen resource types, each once', () => {
    expect(new Set(RESOURCE_TYPES).size).toBe(13);
  });
});
