import { connectionSubject, maskAccessKeyId, type ConnectionState, type StoredAccess } from '../../domain/connections/connection.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { AwsAccess } from '../../scanner/aws/clients.ts';
import { ConnectionUnusable, connectionState, scanAccess } from '../../scanner/connection-access.ts';
import type { AppContext } from '../context.ts';

export interface AccessKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Both halves of the key are sealed for the connection: deleting it shreds them (vault.forget). */
export async function sealKeys(ctx: AppContext, connectionId: string, keys: AccessKeys): Promise<Extract<StoredAccess, { method: 'keys' }>> {
  const secret = await ctx.vault.seal(connectionSubject(connectionId), JSON.stringify({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey }));
  return { method: 'keys', maskedAccessKeyId: maskAccessKeyId(keys.accessKeyId), secret };
}

/**
 * A connection's current state from its stream (the source of truth, with the sealed keys the read
 * model never holds). Another organisation's connection, or a deleted one, is not found — before
 * anything else happens, so nothing about it leaks.
 */
export async function loadConnection(ctx: AppContext, orgId: string, connectionId: string, { includeDeleted = false } = {}): Promise<ConnectionState> {
  const state = await connectionState(ctx.events, connectionId);
  if (!state.connectionId || state.orgId !== orgId || (state.deleted && !includeDeleted)) throw new NotFoundError('No such connection');
  return state;
}

/** How to reach the connection's account now: its role with the organisation's external id, or its keys, opened. */
export async function accessOf(ctx: AppContext, state: ConnectionState): Promise<AwsAccess> {
  try {
    return await scanAccess(ctx.vault, ctx.externalId, state);
  } catch (error) {
    if (error instanceof ConnectionUnusable) throw new ConflictError("This connection's keys are no longer stored; rotate them to use the connection again");
    throw error;
  }
}
