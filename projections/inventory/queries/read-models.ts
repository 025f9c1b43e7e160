import type { Collection, DocumentStore } from '../../../domain/read-models/document-store.ts';
import { readModel } from '../../generations.ts';
import type { CompletionDocument, LiveCountDocument, ResourceVersionDocument, ScopeDocument } from '../model.ts';

/** The inventory read models the questions read, each in the generation currently served. */
export interface InventoryReadModels {
  versions(): Promise<Collection<ResourceVersionDocument>>;
  scopes(): Promise<Collection<ScopeDocument>>;
  liveCounts(): Promise<Collection<LiveCountDocument>>;
  completions(): Promise<Collection<CompletionDocument>>;
}

export const inventoryReadModels = (store: DocumentStore): InventoryReadModels => ({
  versions: () => readModel<ResourceVersionDocument>(store, 'inventory', 'versions'),
  scopes: () => readModel<ScopeDocument>(store, 'inventory', 'scopes'),
  liveCounts: () => readModel<LiveCountDocument>(store, 'inventory', 'live_counts'),
  completions: () => readModel<CompletionDocument>(store, 'inventory', 'completions'),
});
