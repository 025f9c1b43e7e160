/** The one way the web app talks to the API: JSON over HTTP, errors in the API's one shape. */

/** One problem with one input, as the API reports it: `path` is a JSON pointer such as `/password`. */
export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The problems the API tied to an input, keyed by the input's name (`/password` → `password`). */
  get fields(): Record<string, string> {
    const fields: Record<string, string> = {};
    if (!Array.isArray(this.details)) return fields;
    for (const issue of this.details as Partial<FieldIssue>[]) {
      if (typeof issue?.path !== 'string' || typeof issue.message !== 'string') continue;
      const name = issue.path.replace(/^\//, '').split('/')[0] ?? '';
      if (name && !(name in fields)) fields[name] = issue.message;
    }
    return fields;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Options {
  /** SvelteKit's `fetch` inside load functions; the browser's otherwise. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** Sends a request; state-changing ones carry JSON (the browser adds Origin, which the API checks). */
export async function request<T>(method: Method, path: string, body?: unknown, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'Cloudventory cannot be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const parsed: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    const retry = response.headers.get('retry-after');
    const fallback =
      response.status === 429
        ? `Too many attempts. Please wait${retry ? ` ${retry} seconds` : ' a moment'} and try again.`
        : `The request failed (HTTP ${response.status}). Please try again.`;
    throw new ApiError(response.status, error?.code ?? 'HTTP', error?.message ?? fallback, error?.details);
  }
  return parsed as T;
}

/** GET that also accepts 503 answers with a body (the readiness endpoint reports "unavailable" that way). */
export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Cloudventory cannot be reached. Check your connection and try again.');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok && response.status !== 503) {
    const error = (body as { error?: { code: string; message: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'HTTP', error?.message ?? `Request failed with status ${response.status}`, error?.details);
  }
  return body as T;
}

export const get = <T>(path: string, options?: Options) => request<T>('GET', path, undefined, options);
export const post = <T = void>(path: string, body: unknown = {}, options?: Options) => request<T>('POST', path, body, options);
export const put = <T = void>(path: string, body: unknown, options?: Options) => request<T>('PUT', path, body, options);
export const patch = <T = void>(path: string, body: unknown, options?: Options) => request<T>('PATCH', path, body, options);
export const del = <T = void>(path: string, options?: Options) => request<T>('DELETE', path, undefined, options);

/** Builds an API path with a query string, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A segment of an API path, escaped. */
export const seg = (value: string) => encodeURIComponent(value);

// ---- The shapes the API answers with (see the contract) ----

export type Role = 'owner' | 'admin' | 'member' | 'viewer';
export const roles: readonly Role[] = ['owner', 'admin', 'member', 'viewer'];

export interface Me {
  user: { id: string; email: string; firstName: string | null; lastName: string | null; timezone: string; verified: boolean; mfaEnabled: boolean };
  organizations: { id: string; name: string; role: Role }[];
  currentOrganizationId: string | null;
  mfaEnrollmentRequired?: boolean;
}

export interface Organization {
  id: string;
  name: string;
  timezone: string;
  requireMfa: boolean;
  role: Role;
}

export interface Member {
  userId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: Role;
  joinedAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
}

export interface InvitationPreview {
  organizationName: string;
  role: Role;
  email: string;
  invitedBy: string;
  existingAccount: boolean;
}

export interface SessionInfo {
  id: string;
  startedAt: string;
  lastSeenAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { id: string; email: string | null };
  action: string;
  object: string;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export type LoginResult = { userId: string; mfaRequired?: undefined } | { mfaRequired: true; challenge: string };

// ---- AWS connections and scans ----

export type Regions = 'all' | string[];

export interface Connection {
  id: string;
  name: string;
  method: 'role' | 'keys';
  roleArn: string | null;
  /** Masked: `AKIA…WXYZ`. */
  accessKeyId: string | null;
  accountId: string;
  alias: string | null;
  regions: Regions;
  enabledRegions: string[];
  validatedAt: string | null;
  keysRotatedAt: string | null;
  createdBy: string;
  createdAt: string;
  recommendation: string | null;
  schedule: ScanSchedule;
  /** When the scheduler scans it next; null when scheduled scans are off. */
  nextRunAt: string | null;
}

export type ScanSchedule = { kind: 'off' } | { kind: 'hourly' } | { kind: 'daily'; hour: number };

export interface ConnectionSetup {
  externalId: string;
  cloudventoryAccountId: string;
  trustPolicy: string;
  cloudFormation: string;
  roleName: string;
  managedPolicies: string[];
}

export type ScanStatus = 'running' | 'completed' | 'partial' | 'failed' | 'cancelled';
export type PartitionOutcome = 'pending' | 'ok' | 'denied' | 'throttled' | 'failed' | 'cancelled';

export interface ScanCounts {
  discovered: number;
  changed: number;
  deleted: number;
}

export interface ScanPartition extends ScanCounts {
  key: string;
  region: string;
  collector: string;
  types: string[];
  outcome: PartitionOutcome;
  errorCode: string | null;
  message: string | null;
  /** AWS's error turned into what it means and what to do. */
  advice: string | null;
  durationMs: number | null;
}

export interface Scan {
  id: string;
  connectionId: string;
  trigger: 'manual' | 'schedule';
  requestedBy: string;
  status: ScanStatus;
  cancelRequested: boolean;
  requestedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  counts: ScanCounts;
  progress: { finished: number; total: number };
  partitions: ScanPartition[];
}

export interface ScanHistory {
  scans: Scan[];
  nextCursor: string | null;
}

export interface Freshness {
  region: string;
  type: string;
  /** When this type in this region was last listed completely; null: never, so unknown. */
  lastCompleteAt: string | null;
  unknown: boolean;
  lastOutcome: Exclude<PartitionOutcome, 'pending'> | null;
  lastAttemptAt: string | null;
  lastScanId: string | null;
}
