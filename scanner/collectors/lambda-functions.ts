import { ListTagsCommand, paginateListFunctions, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { ec2Arn } from '../aws/arn.ts';
import { recoverFrom } from '../aws/errors.ts';
import { normalise } from '../resource.ts';
import { RELATION, type NormalizedResource, type Relationship } from '../../domain/inventory/resource.ts';
import { pageSize, type CollectInput, type Collector } from './collector.ts';
import { sortedUnique } from './order.ts';

/** Lambda functions ($LATEST), with their execution role and VPC placement. */
export const lambdaFunctionCollector: Collector = {
  name: 'lambda-functions',
  scope: 'regional',
  types: ['lambda:function'],
  async *collect(input) {
    const lambda = input.aws.lambda(input.credentials, input.region);
    try {
      const pages = paginateListFunctions({ client: lambda, pageSize: pageSize(input, { min: 1, max: 50 }), stopOnSameToken: true }, {});
      for await (const page of pages) {
        for (const fn of page.Functions ?? []) {
          if (!fn.FunctionArn) continue;
          // ListFunctions carries no tags. A function deleted since the listing is simply gone.
          const tags = await recoverFrom(lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn })), ['ResourceNotFoundException'], undefined);
          if (tags) yield describeFunction(input, fn, tags.Tags ?? {});
        }
      }
    } finally {
      lambda.destroy();
    }
  },
};

function describeFunction(input: CollectInput, fn: FunctionConfiguration, tags: Record<string, string>): NormalizedResource {
  const arn = (kind: 'vpc' | 'subnet' | 'security-group', id: string) => ec2Arn(input.region, input.accountId, kind, id);
  const vpcId = fn.VpcConfig?.VpcId || undefined;
  const subnetIds = sortedUnique(fn.VpcConfig?.SubnetIds ?? []);
  const securityGroupIds = sortedUnique(fn.VpcConfig?.SecurityGroupIds ?? []);
  const relationships: Relationship[] = [
    ...(fn.Role ? [{ kind: RELATION.usesRole, target: fn.Role }] : []),
    ...(vpcId ? [{ kind: RELATION.inVpc, target: arn('vpc', vpcId) }] : []),
    ...subnetIds.map((id) => ({ kind: RELATION.inSubnet, target: arn('subnet', id) })),
    ...securityGroupIds.map((id) => ({ kind: RELATION.usesSecurityGroup, target: arn('security-group', id) })),
  ];
  return normalise({
    arn: fn.FunctionArn as string,
    type: 'lambda:function',
    accountId: input.accountId,
    region: input.region,
    name: fn.FunctionName ?? (fn.FunctionArn as string),
    tags,
    // Environment variable values often hold secrets: only their names are kept. State and
    // LastModified are left out (functions go Inactive when idle; CodeSha256 records code changes).
    config: {
      runtime: fn.Runtime,
      handler: fn.Handler,
      packageType: fn.PackageType,
      architectures: sortedUnique(fn.Architectures ?? []),
      memorySize: fn.MemorySize,
      timeout: fn.Timeout,
      ephemeralStorageSize: fn.EphemeralStorage?.Size,
      codeSha256: fn.CodeSha256,
      codeSize: fn.CodeSize,
      description: fn.Description || undefined,
      role: fn.Role,
      environmentVariableNames: sortedUnique(Object.keys(fn.Environment?.Variables ?? {})),
      kmsKeyArn: fn.KMSKeyArn,
      layers: (fn.Layers ?? []).map((layer) => layer.Arn),
      tracingMode: fn.TracingConfig?.Mode,
      vpc: vpcId || subnetIds.length ? { vpcId, subnetIds, securityGroupIds } : undefined,
    },
    relationships,
  });
}
