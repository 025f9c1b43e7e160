import { connection, connectionStream, connectionSubject, type ConnectionState } from '../domain/connections/connection.ts';
import { aggregateStream } from '../domain/eventsourcing/aggregate-stream.ts';
import type { EventStore } from '../domain/eventsourcing/event-store.ts';
import type { PersonalDataVault } from '../domain/privacy/personal-data.ts';
import type { AwsAccess } from './aws/clients.ts';

/** The connection as its stream tells it (with the sealed keys no read model holds). */
export async function connectionState(events: EventStore, connectionId: string): Promise<ConnectionState> {
  return (await aggregateStream(events, connection, connectionStream(connectionId))).state;
}

/** Raised when the connection can no longer be reached: deleted, or its keys shredded. */
export class ConnectionUnusable extends Error {
  readonly code = 'ConnectionUnusable';
}

/** How Cloudventory reaches the account now: the role with the organisation's external id, or the keys, opened. */
export async function scanAccess(vault: PersonalDataVault, externalId: (orgId: string) => string, state: ConnectionState): Promise<AwsAccess> {
  if (!state.connectionId || state.deleted) throw new ConnectionUnusable('The connection was deleted');
  if (state.method === 'role') return { method: 'role', roleArn: state.roleArn!, externalId: externalId(state.orgId!) };
  const opened = state.secret ? await vault.open(connectionSubject(state.connectionId), state.secret) : undefined;
  if (opened === undefined) throw new ConnectionUnusable("The connection's keys are no longer stored; rotate them to scan again");
  const keys = JSON.parse(opened) as { accessKeyId: string; secretAccessKey: string };
  return { method: 'keys', accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
}
