import { createHmac } from 'node:crypto';
import { deriveKey } from './derive.ts';

/**
 * The external id an organisation's AWS roles must require (sts:ExternalId): one per organisation,
 * stable (the same on every server, after every restart) and unguessable without the master key,
 * so nothing has to be stored. It stops anyone else's Cloudventory organisation from using a role
 * that trusts our account (the "confused deputy").
 */
export function externalIds(masterKey: Buffer): (orgId: string) => string {
  const key = deriveKey(masterKey, 'external-id');
  // 32 hex characters: within AWS's 2–1224 characters of [\w+=,.@:/-], and easy to copy.
  return (orgId) => `cloudventory-${createHmac('sha256', key).update(orgId).digest('hex').slice(0, 32)}`;
}
