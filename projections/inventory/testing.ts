import type { ResourceState } from './model.ts';

/** What a test says of a resource; the rest takes defaults. */
export interface ResourceSpec {
  type?: string;
  region?: string;
  account?: string;
  name?: string;
  tags?: Record<string, string>;
  config?: Record<string, unknown>;
  relationships?: Array<{ kind: string; target: string }>;
}

/** A resource in the scanner's shape, for tests; its ARN follows from its type, region, account and id. */
export function resource(id: string, spec: ResourceSpec = {}): ResourceState {
  const { type = 'ec2:instance', region = 'eu-west-1', account = '111111111111' } = spec;
  const [service, kind] = type.split(':') as [string, string];
  const arn = service === 's3' ? `arn:aws:s3:::${id}` : service === 'iam' ? `arn:aws:iam::${account}:${kind}/${id}` : `arn:aws:${service}:${region}:${account}:${kind}/${id}`;
  return { arn, type, accountId: account, region, name: spec.name ?? id, tags: spec.tags ?? {}, config: spec.config ?? { state: 'running' }, relationships: spec.relationships ?? [] };
}
