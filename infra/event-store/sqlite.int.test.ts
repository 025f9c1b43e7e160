import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreConformance } from './conformance.ts';
import { openSqliteEventStore } from './sqlite.ts';

describeEventStoreConformance('sqlite', async () => openSqliteEventStore(join(mkdtempSync(join(tmpdir(), 'cv-es-')), 'events.db')));
