// A projection process for the crash test: projects until it has caught up, then exits 0.
// The test kills it with SIGKILL at random moments before that.
import { join } from 'node:path';
import { openSqliteDocumentStore } from '../../infra/document-store/sqlite.ts';
import { openSqliteEventStore } from '../../infra/event-store/sqlite.ts';
import { createLogger } from '../../infra/logger.ts';
import { startProjection } from '../runner.ts';
import { streamTotals } from './stream-totals.ts';

const dataDir = process.argv[2]!;
const events = openSqliteEventStore(join(dataDir, 'events.db'));
const documents = openSqliteDocumentStore(join(dataDir, 'read-models.db'));
const running = startProjection({ events, documents, logger: createLogger('warn') }, streamTotals);
console.log('projecting');
while ((await running.lag()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
await running.stop();
await documents.close();
await events.close();
console.log('caught up');
