import { describe, expect, it } from 'vitest';
import { changedPaths, fingerprint } from './fingerprint.ts';
import { normalise } from './resource.ts';
import { type NormalizedResource } from '../domain/inventory/resource.ts';

const instance = (overrides: Partial<NormalizedResource> = {}): NormalizedResource => ({
  arn: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-1',
  type: 'ec2:instance',
  accountId: '123456789012',
  region: 'eu-west-1',
  name: 'web',
  tags: { Env: 'prod', Name: 'web' },
  config: { state: 'running', instanceType: 't3.micro', metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled' } },
  relationships: [
    { kind: 'in-vpc', target: 'arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1' },
    { kind: 'uses-security-group', target: 'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1' },
  ],
  ...overrides,
});

describe('fingerprint', () => {
  it('is a sha256 that, once normalised, ignores the order keys, tags and relationships arrive in', () => {
    const reordered = instance({
      tags: { Name: 'web', Env: 'prod' },
      config: { metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required' }, instanceType: 't3.micro', state: 'running' },
      relationships: [...instance().relationships].reverse(),
    });
    expect(fingerprint(normalise(instance()))).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint(normalise(reordered))).toBe(fingerprint(normalise(instance())));
    // Unnormalised, the order shows: which is why collectors must normalise (collectors.int.test.ts).
    expect(fingerprint(reordered)).not.toBe(fingerprint(normalise(instance())));
  });

  it('covers name, tags, config and relationships, not where the resource is listed', () => {
    const base = fingerprint(instance());
    expect(fingerprint(instance({ name: 'api' }))).not.toBe(base);
    expect(fingerprint(instance({ tags: { Env: 'staging', Name: 'web' } }))).not.toBe(base);
    expect(fingerprint(instance({ config: { ...instance().config, state: 'stopped' } }))).not.toBe(base);
    expect(fingerprint(instance({ relationships: [] }))).not.toBe(base);
    expect(fingerprint(instance({ accountId: '210987654321', region: 'us-east-1' }))).toBe(base);
  });
});

describe('changedPaths', () => {
  it('lists nothing for the same resource', () => {
    expect(changedPaths(instance(), instance({ tags: { Name: 'web', Env: 'prod' } }))).toEqual([]);
  });

  it('names tags, config leaves and the relationship list that differ, sorted', () => {
    const after = instance({
      tags: { Name: 'web', Owner: 'ops' },
      config: { state: 'stopped', instanceType: 't3.micro', metadataOptions: { httpTokens: 'optional', httpEndpoint: 'enabled' } },
      relationships: [{ kind: 'in-vpc', target: 'arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1' }],
    });
    expect(changedPaths(instance(), after)).toEqual(['config.metadataOptions.httpTokens', 'config.state', 'relationships', 'tags.Env', 'tags.Owner']);
  });

  it('names a config value that appeared, disappeared or changed shape', () => {
    const before = instance({ config: { publicIpAddress: '203.0.113.7', blockDevices: [{ device: '/dev/sda1' }], vpc: { id: 'vpc-1' } } });
    const after = instance({ config: { keyName: 'ops', blockDevices: [{ device: '/dev/sda1' }, { device: '/dev/sdf' }], vpc: 'none' } });
    expect(changedPaths(before, after)).toEqual(['config.blockDevices', 'config.keyName', 'config.publicIpAddress', 'config.vpc']);
  });

  it('names a renamed resource', () => {
    expect(changedPaths(instance(), instance({ name: 'api' }))).toEqual(['name']);
  });
});
