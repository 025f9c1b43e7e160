// project: the projection runner building the audit trail (one indexed document per event) from the
// log the event-store bench wrote, against bare inserts of the same documents into the same indexed
// table (infra/event-store/event-store.bench.ts lends it the log).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { WrittenLog } from '../infra/event-store/event-store.bench.ts';
import { bareSqlite, result, timed, type BenchResult } from '../infra/bench/report.ts';
import { openSqliteDocumentStore } from '../infra/document-store/sqlite.ts';
import { createVault } from '../infra/keys/vault.ts';
import { createLogger } from '../infra/logger.ts';
import { auditTrail } from './audit/audit-trail.ts';
import { physicalName } from './generations.ts';
import { startProjection } from './runner.ts';

export async function projectBenches(dir: string, { store, raw, events }: WrittenLog): Promise<BenchResult[]> {
  const documents = openSqliteDocumentStore(join(dir, 'read-models.db'));
  const head = (await store.headPosition())!;
  const running = startProjection({ events: store, documents, logger: createLogger('silent') }, auditTrail(createVault(documents, randomBytes(32))));
  const oursProject = await timed(async () => {
    if (!(await running.waitFor(head, 600_000))) throw new Error('projection did not catch up');
  });
  await running.stop();
  const entries = await documents.collection(physicalName('audit', 'entries', 1)).count();
  if (entries !== events) throw new Error(`projected ${entries} documents`);

  const rawDocs = bareSqlite(join(dir, 'raw-docs.db'));
  rawDocs.exec(`CREATE TABLE docs (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX a ON docs (json_extract(doc, '$."orgId"'), json_extract(doc, '$."position"') DESC);
    CREATE INDEX b ON docs (json_extract(doc, '$."orgId"'), json_extract(doc, '$."actor"'), json_extract(doc, '$."position"') DESC);
    CREATE INDEX c ON docs (json_extract(doc, '$."actor"'), json_extract(doc, '$."position"') DESC);`);
  const insertDoc = rawDocs.prepare('INSERT INTO docs (id, doc) VALUES (?, ?)');
  const rows = raw.prepare<[], { position: number; stream: string; event_id: string; type: string; metadata: string }>('SELECT * FROM events ORDER BY position').all();
  const baselineProject = await timed(() => {
    const insertMany = rawDocs.transaction((slice: typeof rows) => {
      for (const row of slice) {
        const m = JSON.parse(row.metadata) as { occurredAt: string; actor: string; orgId: string; correlationId: string };
        const doc = { _id: row.event_id, at: m.occurredAt, actor: m.actor, orgId: m.orgId, action: row.type, stream: row.stream, position: String(row.position).padStart(20, '0'), correlationId: m.correlationId, ip: null, userAgent: null, detail: null };
        insertDoc.run(row.event_id, JSON.stringify(doc));
      }
    });
    for (let i = 0; i < rows.length; i += 500) insertMany.immediate(rows.slice(i, i + 500));
  });

  await documents.close();
  rawDocs.close();
  return [result('project', 'events/s', events / oursProject, events / baselineProject, 'ratio >= 0.3')];
}
