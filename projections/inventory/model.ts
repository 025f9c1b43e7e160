import { createHash } from 'node:crypto';
import type { Document } from '../../domain/read-models/document-store.ts';

/**
 * The inventory read models (DESIGN §5): every observed version of every resource, with the
 * interval of AWS observation time it was true in, so "the estate as of T" is one indexed query.
 * Validity follows `observedAt` (when AWS was listed), never the time an event was projected: a
 * scan result that arrives late is slotted into its place in the timeline.
 */

/** The open end of a version that is still current. Sorts after every real ISO instant. */
export const FAR_FUTURE = '9999-12-31T23:59:59.999Z';

/** The stored shape of a resource (the scanner's normalised resource, as the events carry it). */
export interface ResourceState {
  arn: string;
  type: string;
  accountId: string;
  region: string;
  name: string;
  tags: Record<string, string>;
  config: Record<string, unknown>;
  relationships: Array<{ kind: string; target: string }>;
}

/** A resource's id in the read models: one per organisation and ARN (the same ARN in two organisations is two resources). */
export const resourceId = (orgId: string, arn: string) => createHash('sha256').update(`${orgId}\u0000${arn}`).digest('base64url').slice(0, 32);

/** The key that names a resource in URLs: its ARN, base64url-encoded (reversible; lookups still go through the caller's organisation). */
export const resourceKey = (arn: string) => Buffer.from(arn, 'utf8').toString('base64url');
export const arnOfKey = (key: string) => Buffer.from(key, 'base64url').toString('utf8');

/**
 * Tag keys as field names: AWS tag keys may hold dots, `$` and spaces (`kubernetes.io/cluster/x`),
 * which no document path can carry, so `tagIndex` maps base64url(key) → value for filtering.
 */
export const tagIndexKey = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
export const tagField = (key: string) => `tagIndex.${tagIndexKey(key)}`;
export const tagIndexOf = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).map(([key, value]) => [tagIndexKey(key), value]));

/** What a search (`q`) looks in: name, ARN and the resource's own id (the ARN's last segment), lower-cased. */
export const searchTextOf = (resource: Pick<ResourceState, 'name' | 'arn'>) => `${resource.name}\n${resource.arn}`.toLowerCase();

/**
 * A resource type in one region of one AWS account, within an organisation: the grain of counts and
 * freshness. Counts use the resource's own region; a partition listed globally (IAM, S3) completes
 * the scopes of region `global`, which stand for every region of that type (see freshness queries).
 */
export const scopeId = (orgId: string, accountId: string, region: string, type: string) => `${orgId}/${accountId}/${region}/${type}`;

/**
 * `resource_versions`: one document per observed version, `_id` = `${resourceId}:${eventId}`, so a
 * replay writes the same document again. A deletion is a version too (`live: false`), so the
 * timeline shows it and a later re-appearance starts a new live version.
 * "As of T" is `live && validFrom <= T && validTo > T`.
 */
export interface ResourceVersionDocument extends Document {
  orgId: string;
  resourceId: string;
  key: string;
  connectionId: string;
  accountId: string;
  region: string;
  type: string;
  arn: string;
  name: string;
  search: string;
  tagIndex: Record<string, string>;
  /** The state observed; null for a deletion. */
  resource: ResourceState | null;
  fingerprint: string | null;
  /** The paths the scanner saw change against the version before it in the stream. */
  changedPaths: string[];
  live: boolean;
  /** `disconnected`: its connection was removed, so Cloudventory stopped watching it (it may well still exist). */
  kind: 'discovered' | 'changed' | 'deleted' | 'disconnected';
  validFrom: string;
  validTo: string;
  /** The event's global position: orders versions observed at the same instant. */
  position: string;
  scanId: string;
}

/** `resources_current`: the latest version (by observation time) of every live resource. */
export interface CurrentResourceDocument extends Document {
  orgId: string;
  key: string;
  connectionId: string;
  accountId: string;
  region: string;
  type: string;
  arn: string;
  name: string;
  search: string;
  tags: Record<string, string>;
  tagIndex: Record<string, string>;
  resource: ResourceState;
  fingerprint: string;
  versionId: string;
  firstSeenAt: string;
  lastChangedAt: string;
}

/** `scopes`: every (account, region, type) the organisation has inventory in or has asked a scan to list. */
export interface ScopeDocument extends Document {
  orgId: string;
  accountId: string;
  region: string;
  type: string;
}

/**
 * `live_counts`: how many resources of a scope were live from `at` until the scope's next document.
 * The count as of T is the latest document at or before T: one indexed lookup per scope, so totals
 * and summaries never count versions. `position` is the last event applied, which makes a replay
 * of that event a no-op.
 */
export interface LiveCountDocument extends Document {
  scopeId: string;
  orgId: string;
  at: string;
  live: number;
  position: string;
}

/**
 * `completions`: a partition listing that ended 'ok', per type it covers — the evidence behind
 * freshness. The last complete view of a scope as of T is the latest completion at or before T.
 */
export interface CompletionDocument extends Document {
  scopeId: string;
  orgId: string;
  accountId: string;
  region: string;
  type: string;
  completedAt: string;
  scanId: string;
}

/** `scan_partitions`: what each scan covers (the types of each partition), for completions. */
export interface ScanCoverageDocument extends Document {
  orgId: string;
  connectionId: string;
  accountId: string;
  partitions: Array<{ key: string; region: string; types: string[] }>;
}
