import type { ConnectionMethod, RegionSelection } from '../../domain/connections/connection.ts';
import { DEFAULT_SCAN_SCHEDULE, type ScanSchedule } from '../../domain/connections/scan-schedule.ts';
import { parseEventOf } from '../../domain/eventsourcing/registry.ts';
import type { Document } from '../../domain/read-models/document-store.ts';
import type { Projection } from '../projection.ts';

/** A live connection as screens show it: never a secret, keys only masked. */
export interface ConnectionDocument extends Document {
  orgId: string;
  name: string;
  method: ConnectionMethod;
  roleArn: string | null;
  maskedAccessKeyId: string | null;
  accountId: string;
  alias: string | null;
  regions: RegionSelection;
  enabledRegions: string[];
  validatedAt: string | null;
  keysRotatedAt: string | null;
  createdBy: string;
  createdAt: string;
  /** Missing in documents projected before schedules existed: those have the default. */
  schedule?: ScanSchedule;
}

const HANDLED = ['AwsConnectionCreated', 'ConnectionValidated', 'ConnectionRenamed', 'ConnectionRegionsChanged', 'ConnectionKeysRotated', 'ScanScheduleChanged', 'AwsConnectionDeleted'] as const;

/** Each organisation's AWS connections; a deleted one disappears (its history stays in the log). */
export const connectionsProjection: Projection = {
  name: 'connections',
  filter: { streamPrefixes: ['connection-'] },
  collections: { connections: { indexes: [{ name: 'by_org', fields: [['orgId', 1], ['createdAt', 1]] }] } },
  async apply(recorded, model) {
    const event = parseEventOf(recorded, HANDLED);
    if (!event) return;
    const connections = model.collection<ConnectionDocument>('connections');
    const _id = recorded.stream.slice('connection-'.length);
    const at = recorded.metadata.occurredAt;
    switch (event.type) {
      case 'AwsConnectionCreated': {
        const { orgId, name, method, roleArn, maskedAccessKeyId, accountId, alias, regions, createdBy } = event.data;
        await connections.upsert({
          _id,
          orgId,
          name,
          method,
          roleArn: roleArn ?? null,
          maskedAccessKeyId: maskedAccessKeyId ?? null,
          accountId,
          alias,
          regions,
          enabledRegions: [],
          validatedAt: null,
          keysRotatedAt: null,
          createdBy,
          createdAt: at,
          schedule: DEFAULT_SCAN_SCHEDULE,
        });
        return;
      }
      case 'ConnectionValidated': {
        const { alias, enabledRegions, validatedAt } = event.data;
        await connections.updateMany({ _id }, { $set: { alias, enabledRegions, validatedAt } });
        return;
      }
      case 'ConnectionRenamed':
        await connections.updateMany({ _id }, { $set: { name: event.data.name } });
        return;
      case 'ConnectionRegionsChanged':
        await connections.updateMany({ _id }, { $set: { regions: event.data.regions } });
        return;
      case 'ConnectionKeysRotated':
        await connections.updateMany({ _id }, { $set: { maskedAccessKeyId: event.data.maskedAccessKeyId, keysRotatedAt: at } });
        return;
      case 'ScanScheduleChanged':
        await connections.updateMany({ _id }, { $set: { schedule: event.data.schedule } });
        return;
      case 'AwsConnectionDeleted':
        await connections.deleteMany({ _id });
        return;
    }
  },
};
