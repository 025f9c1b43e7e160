import { typeLabel } from '$lib/scans/labels';
import type { ResourceType } from './api';

/** Resources, their values and their relationships as people read them. */

const singular: Record<string, string> = {
  ...({
    'ec2:instance': 'EC2 instance',
    'ec2:volume': 'EBS volume',
    'ec2:security-group': 'Security group',
    'ec2:vpc': 'VPC',
    'ec2:subnet': 'Subnet',
    'iam:user': 'IAM user',
    'iam:role': 'IAM role',
    'iam:policy': 'IAM policy',
    'iam:account': 'IAM account settings',
    'lambda:function': 'Lambda function',
    'rds:db-instance': 'RDS instance',
    'rds:db-cluster': 'RDS cluster',
    's3:bucket': 'S3 bucket',
  } satisfies Record<ResourceType, string>),
  internet: 'The internet',
  external: 'Outside the inventory',
};

/** `ec2:instance` → `EC2 instance`; an unknown type as it is. */
export const typeName = (type: string) => singular[type] ?? type;

/** `ec2:instance` → `EC2 instances`, capitalised for a heading or a list. */
export const typePlural = (type: string) => capitalise(typeLabel(type));

export const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const relationNames: Record<string, string> = {
  'in-vpc': 'In VPC',
  'in-subnet': 'In subnet',
  'uses-security-group': 'Uses security group',
  'attached-volume': 'Has volume attached',
  'attached-to': 'Attached to',
  'uses-instance-profile': 'Uses instance profile',
  'uses-role': 'Uses role',
  'allows-ingress-from': 'Allows traffic in from',
  'allows-egress-to': 'Allows traffic out to',
  'has-policy': 'Has policy',
  'member-of-cluster': 'Member of cluster',
};

/** `uses-security-group` → `Uses security group`. */
export const relationName = (kind: string) => relationNames[kind] ?? capitalise(kind.replaceAll('-', ' '));

/** The readable end of an ARN: `arn:aws:ec2:…:instance/i-0abc` → `instance/i-0abc`, `arn:aws:s3:::bucket` → `bucket`. */
export function shortArn(arn: string): string {
  if (!arn.startsWith('arn:')) return arn;
  const resource = arn.split(':').slice(5).join(':');
  return resource || arn;
}

/** A value as compact JSON on one line: `"stopped"`, `{"Env":"prod"}`, `[1,2]`. */
export function compactJson(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Tags as `Key=Value` strings, sorted by key. */
export const tagPairs = (tags: Record<string, string>) =>
  Object.entries(tags)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => (value === '' ? key : `${key}=${value}`));

/** A region as a place: `eu-west-1`, or `account-wide` for global services. */
export const placeName = (region: string) => (region === 'global' ? 'account-wide' : region);

/** An instant to the second (scans a minute apart must read apart), in the person's time zone. */
export function formatInstant(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(date);
  } catch {
    return date.toLocaleString();
  }
}
