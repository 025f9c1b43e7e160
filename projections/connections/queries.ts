import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import { readModel } from '../generations.ts';
import type { ConnectionDocument } from './connections.ts';

/** The questions the API asks of the connections read model. */
export const connectionQueries = (store: DocumentStore) => {
  const connections = () => readModel<ConnectionDocument>(store, 'connections', 'connections');
  return {
    connectionsOf: async (orgId: string) => (await connections()).find({ orgId }, { sort: [['createdAt', 1]] }),
    /** Only within the organisation: another organisation's connection is not found. */
    connection: async (orgId: string, connectionId: string) => {
      const found = await (await connections()).get(connectionId);
      return found?.orgId === orgId ? found : undefined;
    },
  };
};
