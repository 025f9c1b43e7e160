import type { Freshness, PartitionOutcome, Regions, Scan, ScanStatus } from '../api';
import type { ResourceType } from '../inventory/api';

/** Scans, connections and freshness as people read them. */

export const statusLabel: Record<ScanStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  partial: 'Partial',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** What a finished scan's status means, in a sentence. */
export const statusExplanation: Record<ScanStatus, string> = {
  running: 'The scan is still listing your resources.',
  completed: 'Every region and service was listed completely.',
  partial: 'Some regions or services could not be listed; what was listed is up to date, the rest keeps its previous view.',
  failed: 'Nothing could be listed; the inventory keeps its previous view.',
  cancelled: 'The scan was cancelled; partitions listed before that keep their results.',
};

export const outcomeLabel: Record<PartitionOutcome, string> = {
  pending: 'Pending',
  ok: 'Listed',
  denied: 'Access denied',
  throttled: 'Throttled',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** A badge colour for a status or an outcome: good, bad, warning, neutral. */
export function tone(value: ScanStatus | PartitionOutcome | null | undefined): 'good' | 'bad' | 'warn' | 'neutral' {
  switch (value) {
    case 'ok':
    case 'completed':
      return 'good';
    case 'failed':
    case 'denied':
      return 'bad';
    case 'partial':
    case 'throttled':
    case 'cancelled':
      return 'warn';
    default:
      return 'neutral';
  }
}

const typeNames: Record<string, string> = {
  'ec2:instance': 'EC2 instances',
  'ec2:volume': 'EBS volumes',
  'ec2:security-group': 'security groups',
  'ec2:vpc': 'VPCs',
  'ec2:subnet': 'subnets',
  'iam:user': 'IAM users',
  'iam:role': 'IAM roles',
  'iam:policy': 'IAM policies',
  'iam:account': 'IAM account settings',
  'lambda:function': 'Lambda functions',
  'rds:db-instance': 'RDS instances',
  'rds:db-cluster': 'RDS clusters',
  's3:bucket': 'S3 buckets',
} satisfies Record<ResourceType, string>;

/** `ec2:instance` → `EC2 instances`; an unknown type as it is. */
export const typeLabel = (type: string) => typeNames[type] ?? type;

/** `global` is where account-wide services (IAM, the S3 bucket list) are listed. */
export const regionLabel = (region: string) => (region === 'global' ? 'global (account-wide)' : region);

export const regionsLabel = (regions: Regions) => (regions === 'all' ? 'All enabled regions' : regions.join(', '));

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}

export const percentOf = (scan: Pick<Scan, 'progress' | 'status'>) =>
  scan.progress.total > 0 ? Math.round((scan.progress.finished / scan.progress.total) * 100) : scan.status === 'running' ? 0 : 100;

/**
 * How current a connection's inventory is: how many (region, type) pairs have a complete view, how
 * many were never listed completely, and when the oldest complete view was taken.
 */
export function freshnessSummary(rows: Freshness[]): { complete: number; never: number; total: number; oldest: string | null } {
  const complete = rows.filter((r) => r.lastCompleteAt);
  const oldest = complete.map((r) => r.lastCompleteAt!).sort()[0] ?? null;
  return { complete: complete.length, never: rows.length - complete.length, total: rows.length, oldest };
}

/** Regions offered before an account is connected (after, the account's own enabled regions are offered). */
export const commonRegions = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'me-central-1',
  'af-south-1',
];
