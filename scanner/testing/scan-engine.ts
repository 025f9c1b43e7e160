import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connection, connectionStream, type AccountCheck, type StoredAccess } from '../../domain/connections/connection.ts';
import { handleCommand } from '../../domain/eventsourcing/decider.ts';
import type { EventStore, RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import { userActor } from '../../domain/organizations/actor.ts';
import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import { scan, scanStream, type ScanEvent } from '../../domain/scans/scan.ts';
import { openSqliteDocumentStore } from '../../infra/document-store/sqlite.ts';
import { openSqliteEventStore } from '../../infra/event-store/sqlite.ts';
import { externalIds } from '../../infra/keys/external-id.ts';
import { createVault } from '../../infra/keys/vault.ts';
import { createLogger } from '../../infra/logger.ts';
import { createAwsClients } from '../aws/clients.ts';
import { loadScan, type ScanEngineDependencies } from '../run-scan.ts';

/**
 * The scan engine on the real embedded stores in a temporary folder, pointed at moto: what the
 * scanner's integration tests share. Connections are made by the connection decider directly (the
 * API's connect flow, with its AWS checks, is tested by the API).
 */
export interface ScanEngineFixture {
  deps: ScanEngineDependencies & { documents: DocumentStore };
  events: EventStore;
  /** A connection to the account, by role (assumed in moto) or by keys (sealed like the API does). */
  connect(input: { accountId: string; regions: string[]; keys?: { accessKeyId: string; secretAccessKey: string } }): Promise<{ orgId: string; connectionId: string }>;
  /** Waits until the scan has finished and returns its events. */
  finished(scanId: string, timeoutMs?: number): Promise<ScanEvent[]>;
  /** Every inventory event of the connection, in log order. */
  inventory(connectionId: string): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

export function scanEngineFixture(endpoint: string): ScanEngineFixture {
  const dir = mkdtempSync(join(tmpdir(), 'cv-scan-'));
  const events = openSqliteEventStore(join(dir, 'events.db'));
  const documents = openSqliteDocumentStore(join(dir, 'documents.db'));
  const masterKey = randomBytes(32);
  const vault = createVault(documents, masterKey);
  const now = () => new Date();
  const deps = { events, documents, vault, aws: createAwsClients({ endpoint, maxAttempts: 2 }), externalId: externalIds(masterKey), logger: createLogger('silent'), now };

  return {
    deps,
    events,
    async connect({ accountId, regions, keys }) {
      const orgId = `org-${randomUUID()}`;
      const connectionId = randomUUID();
      const access: StoredAccess = keys
        ? { method: 'keys', maskedAccessKeyId: 'AKIA…TEST', secret: await vault.seal(`connection-${connectionId}`, JSON.stringify(keys)) }
        : { method: 'role', roleArn: `arn:aws:iam::${accountId}:role/CloudventoryReadOnly` };
      const check: AccountCheck = { accountId, alias: null, enabledRegions: regions };
      await handleCommand(
        events,
        connection,
        connectionStream(connectionId),
        { type: 'CreateConnection', connectionId, orgId, name: 'Scanned', access, check, regions, actor: userActor('user-1', 'owner'), creatorVerified: true, now: now() },
        { commandId: randomUUID(), actor: 'user-1', orgId },
        now,
      );
      return { orgId, connectionId };
    },
    async finished(scanId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await loadScan(events, scanId)).state.status) {
        if (Date.now() > deadline) throw new Error(`scan ${scanId} did not finish within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const recorded: ScanEvent[] = [];
      for await (const event of events.readStream(scanStream(scanId))) recorded.push(scan.events.parse(event));
      return recorded;
    },
    async inventory(connectionId) {
      const found: RecordedEvent[] = [];
      for await (const event of events.readAll({ filter: { streamPrefixes: [`inventory-${connectionId}-`] } })) found.push(event);
      return found;
    },
    async close() {
      await events.close();
      await documents.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
