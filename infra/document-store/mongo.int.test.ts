import { afterAll, describe } from 'vitest';
import { startFerretDb } from '../testing/peers.ts';
import { describeDocumentStoreConformance } from './conformance.ts';
import { openMongoDocumentStore } from './mongo.ts';

const ferret = await startFerretDb();
afterAll(() => ferret.peer?.stop());
if (ferret.reason) console.log(`DocumentStore conformance: mongo on FerretDB skipped: ${ferret.reason}`);

describe.runIf(ferret.peer)('mongo on FerretDB', () => {
  describeDocumentStoreConformance('mongo (FerretDB)', () => openMongoDocumentStore(ferret.peer!.url));
});

const mongoUrl = process.env.MONGODB_URL;
describe.runIf(mongoUrl)('mongo on MONGODB_URL', () => {
  describeDocumentStoreConformance('mongo (MONGODB_URL)', () => openMongoDocumentStore(mongoUrl!));
});
