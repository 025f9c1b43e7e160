import {
  AttachVolumeCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  RunInstancesCommand,
  type EC2Client,
  type Instance,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateDBClusterCommand, CreateDBInstanceCommand, CreateDBSubnetGroupCommand, type RDSClient } from '@aws-sdk/client-rds';
import { CreateBucketCommand, PutBucketEncryptionCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutPublicAccessBlockCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsClients, AwsCredentialIdentity } from '../aws/clients.ts';
import type { ResourceType } from '../../domain/inventory/resource.ts';

/**
 * Builds a small but complete account in moto — every resource type, tagged, wired together, in
 * two regions — and returns what a correct scan must find: each resource's ARN and type, and its
 * relationships as `kind target` strings. ARNs are written out here, not taken from the scanner.
 * What moto creates by itself (default VPC, subnets and security groups, root volumes, each new
 * VPC's default group) is part of the account, so it is expected too.
 */
export interface SeededAccount {
  accountId: string;
  regions: { primary: string; secondary: string };
  resources: Map<string, { type: ResourceType; relationships: Set<string> }>;
  /** Names and ids the tests look at more closely. */
  ids: Record<string, string>;
}

/** moto answers this VpcId for every function in a VPC (awslambda/models.py); AWS answers the subnets' VPC. */
export const MOTO_LAMBDA_VPC_ID = 'vpc-123abc';

const PUBLIC_AMI = 'ami-12c6146b';
// An empty zip archive: moto stores Lambda code without running it.
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

export async function seedAccount(aws: AwsClients, credentials: AwsCredentialIdentity, accountId: string, regions = { primary: 'eu-west-1', secondary: 'us-east-1' }): Promise<SeededAccount> {
  const seeded: SeededAccount = { accountId, regions, resources: new Map(), ids: {} };
  const expectResource = (type: ResourceType, arn: string, ...relationships: Array<[string, string]>) => {
    const entry = seeded.resources.get(arn) ?? { type, relationships: new Set<string>() };
    for (const [kind, target] of relationships) entry.relationships.add(`${kind} ${target}`);
    seeded.resources.set(arn, entry);
  };
  const iam = aws.iam(credentials);
  const clients: Array<{ destroy(): void }> = [iam];
  const inRegion = <C extends { destroy(): void }>(client: C) => (clients.push(client), client);
  try {
    const identity = await seedIam(iam, accountId, expectResource);
    Object.assign(seeded.ids, identity);
    for (const region of [regions.primary, regions.secondary]) {
      await expectDefaultNetwork(inRegion(aws.ec2(credentials, region)), region, accountId, expectResource);
    }
    const p = regions.primary;
    const ec2 = inRegion(aws.ec2(credentials, p));
    const network = await seedNetwork(ec2, p, accountId, expectResource);
    Object.assign(seeded.ids, network);
    const arn = (kind: string, id: string) => `arn:aws:ec2:${p}:${accountId}:${kind}/${id}`;

    // An instance in the app subnet behind the web group, with the app role, and a second volume attached.
    const web = await runInstance(ec2, {
      SubnetId: network.subnetA,
      SecurityGroupIds: [network.webGroup],
      IamInstanceProfile: { Name: identity.instanceProfileName },
      TagSpecifications: tagged('instance', { Name: 'cv-seed-web', Env: 'prod' }),
    });
    const webId = web.InstanceId as string;
    seeded.ids.webInstance = webId;
    const data = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${p}a`, Size: 20, VolumeType: 'gp3', Encrypted: true, TagSpecifications: tagged('volume', { Name: 'cv-seed-data' }) }));
    await ec2.send(new AttachVolumeCommand({ VolumeId: data.VolumeId, InstanceId: webId, Device: '/dev/sdf' }));
    seeded.ids.dataVolume = data.VolumeId as string;
    const spare = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${p}b`, Size: 5, TagSpecifications: tagged('volume', { Name: 'cv-seed-spare' }) }));
    seeded.ids.spareVolume = spare.VolumeId as string;
    expectResource('ec2:volume', arn('volume', seeded.ids.spareVolume));
    const webVolumes = [rootVolume(web), seeded.ids.dataVolume];
    expectResource(
      'ec2:instance',
      arn('instance', webId),
      ['in-vpc', arn('vpc', network.vpc)],
      ['in-subnet', arn('subnet', network.subnetA)],
      ['uses-security-group', arn('security-group', network.webGroup)],
      ['uses-instance-profile', identity.instanceProfileArn],
      ['uses-role', identity.appRoleArn],
      ...webVolumes.map((v): [string, string] => ['attached-volume', arn('volume', v)]),
    );
    for (const volume of webVolumes) expectResource('ec2:volume', arn('volume', volume), ['attached-to', arn('instance', webId)]);

    // A database and a cluster (with one member) in a DB subnet group spanning both app subnets, behind the db group.
    const rds = inRegion(aws.rds(credentials, p));
    const placed: Array<[string, string]> = [
      ['in-vpc', arn('vpc', network.vpc)],
      ['in-subnet', arn('subnet', network.subnetA)],
      ['in-subnet', arn('subnet', network.subnetB)],
      ['uses-security-group', arn('security-group', network.dbGroup)],
    ];
    await seedDatabases(rds, network);
    expectResource('rds:db-instance', `arn:aws:rds:${p}:${accountId}:db:cv-seed-db`, ...placed);
    expectResource('rds:db-cluster', `arn:aws:rds:${p}:${accountId}:cluster:cv-seed-aurora`, ...placed);
    // moto leaves DBSubnetGroup off a cluster's member instances (AWS reports the cluster's), so
    // the member's VPC and subnets are not visible here; its groups and cluster are.
    expectResource(
      'rds:db-instance',
      `arn:aws:rds:${p}:${accountId}:db:cv-seed-aurora-1`,
      ['uses-security-group', arn('security-group', network.dbGroup)],
      ['member-of-cluster', `arn:aws:rds:${p}:${accountId}:cluster:cv-seed-aurora`],
    );

    // A function in the VPC with its execution role; another outside any VPC in the second region.
    await inRegion(aws.lambda(credentials, p)).send(
      new CreateFunctionCommand({
        ...functionBasics('cv-seed-api', identity.functionRoleArn),
        VpcConfig: { SubnetIds: [network.subnetA], SecurityGroupIds: [network.webGroup] },
        Tags: { Team: 'platform' },
        Environment: { Variables: { DATABASE_PASSWORD: 'not-for-the-inventory' } },
      }),
    );
    expectResource(
      'lambda:function',
      `arn:aws:lambda:${p}:${accountId}:function:cv-seed-api`,
      ['uses-role', identity.functionRoleArn],
      ['in-vpc', arn('vpc', MOTO_LAMBDA_VPC_ID)],
      ['in-subnet', arn('subnet', network.subnetA)],
      ['uses-security-group', arn('security-group', network.webGroup)],
    );

    const s = regions.secondary;
    await inRegion(aws.lambda(credentials, s)).send(new CreateFunctionCommand({ ...functionBasics('cv-seed-cron', identity.functionRoleArn), Tags: { Team: 'ops' } }));
    expectResource('lambda:function', `arn:aws:lambda:${s}:${accountId}:function:cv-seed-cron`, ['uses-role', identity.functionRoleArn]);

    // An instance in the second region's default VPC, placed by EC2 itself.
    const ec2s = inRegion(aws.ec2(credentials, s));
    const batch = await runInstance(ec2s, { TagSpecifications: tagged('instance', { Name: 'cv-seed-batch' }) });
    const sArn = (kind: string, id: string) => `arn:aws:ec2:${s}:${accountId}:${kind}/${id}`;
    expectResource(
      'ec2:instance',
      sArn('instance', batch.InstanceId as string),
      ['in-vpc', sArn('vpc', batch.VpcId as string)],
      ['in-subnet', sArn('subnet', batch.SubnetId as string)],
      ['attached-volume', sArn('volume', rootVolume(batch))],
      ...(batch.NetworkInterfaces ?? []).flatMap((eni) => (eni.Groups ?? []).map((g): [string, string] => ['uses-security-group', sArn('security-group', g.GroupId as string)])),
    );
    expectResource('ec2:volume', sArn('volume', rootVolume(batch)), ['attached-to', sArn('instance', batch.InstanceId as string)]);

    // Buckets in both regions: one fully configured, one bare.
    seeded.ids.euBucket = `cv-seed-${accountId}-eu`;
    seeded.ids.usBucket = `cv-seed-${accountId}-us`;
    await seedBuckets(inRegion(aws.s3(credentials, p)), inRegion(aws.s3(credentials, s)), seeded.ids.euBucket, seeded.ids.usBucket, p);
    expectResource('s3:bucket', `arn:aws:s3:::${seeded.ids.euBucket}`);
    expectResource('s3:bucket', `arn:aws:s3:::${seeded.ids.usBucket}`);
    return seeded;
  } finally {
    for (const client of clients) client.destroy();
  }
}

type ExpectResource = (type: ResourceType, arn: string, ...relationships: Array<[string, string]>) => void;

const TRUST = (service: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

async function seedIam(iam: IAMClient, accountId: string, expectResource: ExpectResource) {
  const policy = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'cv-seed-read',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }] }),
      Tags: [{ Key: 'Team', Value: 'platform' }],
    }),
  );
  const policyArn = policy.Policy?.Arn as string;
  expectResource('iam:policy', policyArn);

  await iam.send(new CreateUserCommand({ UserName: 'cv-seed-alice', Tags: [{ Key: 'Team', Value: 'platform' }] }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'cv-seed-alice' }));
  const mfa = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'cv-seed-alice' }));
  await iam.send(new EnableMFADeviceCommand({ UserName: 'cv-seed-alice', SerialNumber: mfa.VirtualMFADevice?.SerialNumber, AuthenticationCode1: '123456', AuthenticationCode2: '234567' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'cv-seed-alice', PolicyArn: policyArn }));
  expectResource('iam:user', `arn:aws:iam::${accountId}:user/cv-seed-alice`, ['has-policy', policyArn]);

  const appRole = await iam.send(new CreateRoleCommand({ RoleName: 'cv-seed-app', AssumeRolePolicyDocument: TRUST('ec2.amazonaws.com'), Tags: [{ Key: 'Env', Value: 'prod' }] }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'cv-seed-app', PolicyArn: policyArn }));
  const profile = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'cv-seed-app' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'cv-seed-app', RoleName: 'cv-seed-app' }));
  expectResource('iam:role', appRole.Role?.Arn as string, ['has-policy', policyArn]);

  // moto loads no AWS-managed policies by default, so the function role gets a second customer policy.
  const logs = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'cv-seed-logs',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }] }),
    }),
  );
  const logsArn = logs.Policy?.Arn as string;
  expectResource('iam:policy', logsArn);
  const fnRole = await iam.send(new CreateRoleCommand({ RoleName: 'cv-seed-fn', AssumeRolePolicyDocument: TRUST('lambda.amazonaws.com') }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'cv-seed-fn', PolicyArn: logsArn }));
  expectResource('iam:role', fnRole.Role?.Arn as string, ['has-policy', logsArn]);

  await iam.send(new CreateAccountAliasCommand({ AccountAlias: `cv-seed-${accountId}` }));
  expectResource('iam:account', `arn:aws:iam::${accountId}:root`);
  return {
    policyArn,
    accessKeyId: key.AccessKey?.AccessKeyId as string,
    mfaSerial: mfa.VirtualMFADevice?.SerialNumber as string,
    appRoleArn: appRole.Role?.Arn as string,
    functionRoleArn: fnRole.Role?.Arn as string,
    instanceProfileName: 'cv-seed-app',
    instanceProfileArn: profile.InstanceProfile?.Arn as string,
  };
}

/** What every region already holds: the default VPC, its subnets and its default security group. */
async function expectDefaultNetwork(ec2: EC2Client, region: string, accountId: string, expectResource: ExpectResource): Promise<void> {
  const arn = (kind: string, id: string) => `arn:aws:ec2:${region}:${accountId}:${kind}/${id}`;
  const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  for (const vpc of Vpcs) {
    const vpcArn = arn('vpc', vpc.VpcId as string);
    expectResource('ec2:vpc', vpcArn);
    const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId as string] }] }));
    for (const subnet of Subnets) expectResource('ec2:subnet', arn('subnet', subnet.SubnetId as string), ['in-vpc', vpcArn]);
    await expectDefaultGroup(ec2, region, accountId, vpc.VpcId as string, expectResource);
  }
}

/** Every VPC gets a group named `default`; moto's has no ingress rules (AWS's admits its own members). */
async function expectDefaultGroup(ec2: EC2Client, region: string, accountId: string, vpcId: string, expectResource: ExpectResource): Promise<void> {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }] }),
  );
  for (const group of SecurityGroups) {
    expectResource('ec2:security-group', `arn:aws:ec2:${region}:${accountId}:security-group/${group.GroupId}`, ['in-vpc', `arn:aws:ec2:${region}:${accountId}:vpc/${vpcId}`]);
  }
}

/** The app VPC: two subnets, a web group open to the internet on 443, a db group admitting the web group. */
async function seedNetwork(ec2: EC2Client, region: string, accountId: string, expectResource: ExpectResource) {
  const arn = (kind: string, id: string) => `arn:aws:ec2:${region}:${accountId}:${kind}/${id}`;
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: tagged('vpc', { Name: 'cv-seed-app', Env: 'prod' }) }))).Vpc?.VpcId as string;
  expectResource('ec2:vpc', arn('vpc', vpc));
  await expectDefaultGroup(ec2, region, accountId, vpc, expectResource);
  const subnet = async (cidr: string, zone: string, name: string) => {
    const created = await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: `${region}${zone}`, TagSpecifications: tagged('subnet', { Name: name }) }));
    const id = created.Subnet?.SubnetId as string;
    expectResource('ec2:subnet', arn('subnet', id), ['in-vpc', arn('vpc', vpc)]);
    return id;
  };
  const subnetA = await subnet('10.0.1.0/24', 'a', 'cv-seed-app-a');
  const subnetB = await subnet('10.0.2.0/24', 'b', 'cv-seed-app-b');

  const webGroup = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: 'cv-seed-web', Description: 'web', TagSpecifications: tagged('security-group', { Tier: 'web' }) })))
    .GroupId as string;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: webGroup,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    }),
  );
  expectResource('ec2:security-group', arn('security-group', webGroup), ['in-vpc', arn('vpc', vpc)], ['allows-ingress-from', 'internet']);

  const dbGroup = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: 'cv-seed-db', Description: 'db' }))).GroupId as string;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({ GroupId: dbGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: webGroup }] }] }),
  );
  expectResource('ec2:security-group', arn('security-group', dbGroup), ['in-vpc', arn('vpc', vpc)], ['allows-ingress-from', arn('security-group', webGroup)]);
  await ec2.send(
    new AuthorizeSecurityGroupEgressCommand({ GroupId: webGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: dbGroup }] }] }),
  );
  expectResource('ec2:security-group', arn('security-group', webGroup), ['allows-egress-to', arn('security-group', dbGroup)]);
  return { vpc, subnetA, subnetB, webGroup, dbGroup };
}

async function seedDatabases(rds: RDSClient, network: { subnetA: string; subnetB: string; dbGroup: string }): Promise<void> {
  await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'cv-seed-db', DBSubnetGroupDescription: 'app subnets', SubnetIds: [network.subnetA, network.subnetB] }));
  const database = { MasterUsername: 'app', MasterUserPassword: 'not-a-real-password', DBSubnetGroupName: 'cv-seed-db', VpcSecurityGroupIds: [network.dbGroup] };
  await rds.send(
    new CreateDBInstanceCommand({
      ...database,
      DBInstanceIdentifier: 'cv-seed-db',
      DBInstanceClass: 'db.t3.micro',
      Engine: 'postgres',
      AllocatedStorage: 20,
      StorageEncrypted: true,
      PubliclyAccessible: false,
      Tags: [{ Key: 'Env', Value: 'prod' }],
    }),
  );
  await rds.send(new CreateDBClusterCommand({ ...database, DBClusterIdentifier: 'cv-seed-aurora', Engine: 'aurora-postgresql', Tags: [{ Key: 'Env', Value: 'prod' }] }));
  await rds.send(
    new CreateDBInstanceCommand({ DBInstanceIdentifier: 'cv-seed-aurora-1', DBClusterIdentifier: 'cv-seed-aurora', DBInstanceClass: 'db.r6g.large', Engine: 'aurora-postgresql' }),
  );
}

async function seedBuckets(eu: S3Client, us: S3Client, euBucket: string, usBucket: string, euRegion: string): Promise<void> {
  await eu.send(new CreateBucketCommand({ Bucket: euBucket, CreateBucketConfiguration: { LocationConstraint: euRegion as 'eu-west-1' } }));
  await eu.send(new PutBucketTaggingCommand({ Bucket: euBucket, Tagging: { TagSet: [{ Key: 'Team', Value: 'data' }, { Key: 'Env', Value: 'prod' }] } }));
  await eu.send(new PutBucketEncryptionCommand({ Bucket: euBucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
  await eu.send(new PutBucketVersioningCommand({ Bucket: euBucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await eu.send(
    new PutPublicAccessBlockCommand({
      Bucket: euBucket,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }),
  );
  await us.send(new CreateBucketCommand({ Bucket: usBucket }));
}

export function tagged(resourceType: string, tags: Record<string, string>): TagSpecification[] {
  return [{ ResourceType: resourceType as TagSpecification['ResourceType'], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }];
}

export async function runInstance(ec2: EC2Client, options: Omit<ConstructorParameters<typeof RunInstancesCommand>[0], 'ImageId' | 'MinCount' | 'MaxCount'>): Promise<Instance> {
  const { Instances = [] } = await ec2.send(new RunInstancesCommand({ ImageId: PUBLIC_AMI, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, ...options }));
  const instance = Instances[0];
  if (!instance?.InstanceId) throw new Error('RunInstances started no instance');
  return instance;
}

function rootVolume(instance: Instance): string {
  const volume = instance.BlockDeviceMappings?.find((m) => m.DeviceName === instance.RootDeviceName)?.Ebs?.VolumeId;
  if (!volume) throw new Error(`instance ${instance.InstanceId} has no root volume`);
  return volume;
}

function functionBasics(name: string, roleArn: string) {
  return { FunctionName: name, Runtime: 'nodejs20.x' as const, Handler: 'index.handler', Role: roleArn, Code: { ZipFile: EMPTY_ZIP }, MemorySize: 256, Timeout: 10 };
}

