// Inventory history benches on a synthetic history (bench-history.ts): 100,000 resources × 10
// versions = 1,000,000 versions in the embedded store.
// - as-of: a page of 100 of one type, in name order, with its total and freshness, at random
//   instants; p50/p99. Baseline: the obvious query — one find with the validity filter, sorted by
//   name, through the same store (no total, no freshness).
// - compare: two instants one scan apart (about 5 % of resources changed between them). Baseline:
//   the brute force — the whole estate at each instant, diffed in memory.
// - export: every resource as of an instant as CSV, streamed; rows/s and RSS growth. Baseline: bare
//   better-sqlite3 iteration writing the same CSV.
// - mongo-as-of: the as-of page on the mongo adapter against FerretDB (a smaller history: FerretDB
//   loads slowly), with the plan it used. No target.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { physicalName } from '../generations.ts';
import { VERSION_INDEXES } from './indexes.ts';
import { inventoryQueries, type InventoryFilters } from './queries.ts';
import { csvRows } from '../../api/inventory/csv.ts';
import { openMongoDocumentStore } from '../../infra/document-store/mongo.ts';
import { openSqliteDocumentStore } from '../../infra/document-store/sqlite.ts';
import { startFerretDb } from '../../infra/testing/peers.ts';
import { checkAgainstProjection, ORG, random, scanTime, writeHistory, type HistoryShape } from './bench-history.ts';
import { result, timed, type BenchResult } from '../../infra/bench/report.ts';

/** Ten versions a resource spread over 180 hourly scans: about 5 % of the resources change at each scan. */
const SHAPE: HistoryShape = { resources: 100_000, versions: 10, scans: 180 };
/** FerretDB writes about a hundred documents a second here: a small history, enough to show the plan. */
const MONGO_SHAPE: HistoryShape = { resources: 100, versions: 10, scans: 20 };
const QUERIES = 200;
const TYPE = 'ec2:instance';
const MB = 1024 * 1024;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const asOfPage = (instant: string) => ({ asOf: instant, filters: { type: TYPE } as InventoryFilters, sort: { key: 'name' as const, descending: false }, limit: 100 });

async function latencies(times: number, run: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await run(i);
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b);
}

export async function inventoryBenches(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cv-bench-inventory-'));
  try {
    // The closed-form history must be what the projection writes: proved on a sample first.
    const sample = openSqliteDocumentStore(join(dir, 'sample.db'));
    await checkAgainstProjection(sample, SHAPE, 300);
    await sample.close();

    const file = join(dir, 'read-models.db');
    const documents = openSqliteDocumentStore(file);
    progress(`writing ${(SHAPE.resources * SHAPE.versions).toLocaleString('en')} versions`);
    const writeSeconds = await timed(() => writeHistory(documents, SHAPE));
    progress(`written in ${Math.round(writeSeconds)} s; querying`);
    const queries = inventoryQueries(documents);
    const instants = (seed: number) => {
      const next = random(seed);
      return Array.from({ length: QUERIES }, () => new Date(Date.parse(scanTime(0)) + next() * (Date.parse(scanTime(SHAPE.scans)) - Date.parse(scanTime(0)))).toISOString());
    };

    // as-of
    const at = instants(7);
    await queries.page(ORG, asOfPage(at[0]!)); // statements prepared, caches warm, for both sides alike
    const ours = await latencies(QUERIES, (i) => queries.page(ORG, asOfPage(at[i]!)));
    const versions = documents.collection(physicalName('inventory', 'versions', 1));
    const obvious = (instant: string) => versions.find({ orgId: ORG, type: TYPE, live: true, validFrom: { $lte: instant }, validTo: { $gt: instant } }, { sort: [['name', 1], ['_id', 1]], limit: 101 });
    const bareMs = await latencies(QUERIES / 4, (i) => obvious(at[i]!));
    const raw = new Database(file, { readonly: true });
    const table = `docs_${physicalName('inventory', 'versions', 1)}`;
    const j = (path: string) => `json_extract(doc, '$."${path}"')`;
    const asOf = result('as-of', 'ms p99', percentile(ours, 99), percentile(bareMs, 99), 'p99 <= 25 ms', { p50: round(percentile(ours, 50)), baselineP50: round(percentile(bareMs, 50)), versions: SHAPE.resources * SHAPE.versions });

    // compare: one scan apart, so about 5 % of the resources changed in between
    const from = scanTime(90);
    const to = new Date(Date.parse(scanTime(91)) + 1).toISOString();
    let answer: Awaited<ReturnType<typeof queries.compare>> | undefined;
    const compareSeconds = await timed(async () => (answer = await queries.compare(ORG, { from, to, filters: {}, limit: 500 })));
    let bruteChanged = 0;
    const bruteSeconds = await timed(() => {
      const whole = raw.prepare(`SELECT ${j('resourceId')} AS id, ${j('fingerprint')} AS fp FROM ${table} WHERE ${j('orgId')} = ? AND ${j('live')} = 1 AND ${j('validFrom')} <= ? AND ${j('validTo')} > ?`);
      const before = new Map((whole.all(ORG, from, from) as Array<{ id: string; fp: string }>).map((r) => [r.id, r.fp]));
      for (const row of whole.iterate(ORG, to, to) as Iterable<{ id: string; fp: string }>) if (before.has(row.id) && before.get(row.id) !== row.fp) bruteChanged++;
    });
    if (answer!.counts.changed !== bruteChanged) throw new Error(`compare found ${answer!.counts.changed} changed, the brute force ${bruteChanged}`);
    const compare = result('compare', 's', compareSeconds, bruteSeconds, '<= 500 ms', { changed: answer!.counts.changed, added: answer!.counts.added, removed: answer!.counts.removed });

    // export
    const asOfExport = scanTime(SHAPE.scans);
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    let rows = 0;
    const exportSeconds = await timed(async () => {
      for await (const line of csvRows(queries.export(ORG, { asOf: asOfExport, filters: {} }))) {
        rows += line.length > 0 ? 1 : 0;
        if (rows % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
    });
    let bareRows = 0;
    const bareExportSeconds = await timed(() => {
      const all = raw.prepare(`SELECT doc FROM ${table} WHERE ${j('orgId')} = ? AND ${j('live')} = 1 AND ${j('validTo')} > ? AND ${j('validFrom')} <= ? ORDER BY ${j('name')}, ${j('_id')}`);
      for (const row of all.iterate(ORG, asOfExport, asOfExport) as Iterable<{ doc: string }>) {
        const v = JSON.parse(row.doc) as { arn: string; type: string; name: string; accountId: string; region: string; validFrom: string; resource: { tags: Record<string, string> } };
        const tags = Object.entries(v.resource.tags).map(([k, value]) => `${k}=${value}`).join('; ');
        if (`${v.arn},${v.type},${v.name},${v.accountId},${v.region},${tags},${v.validFrom}\n`.length > 0) bareRows++;
      }
    });
    raw.close();
    const dataRows = rows - 1; // the header
    if (dataRows !== bareRows) throw new Error(`export wrote ${dataRows} rows, the bare read ${bareRows}`);
    const exported = result('export', 'rows/s', dataRows / exportSeconds, bareRows / bareExportSeconds, '>= 20,000 rows/s, memory flat', { rows: dataRows, rssGrowthMb: round((peak - rssBefore) / MB) });
    await documents.close();

    for (const figure of [asOf, compare, exported]) progress(JSON.stringify(figure));
    return [asOf, compare, exported, ...(await mongoAsOf(dir))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function mongoAsOf(dir: string): Promise<BenchResult[]> {
  const ferret = await startFerretDb();
  if (!ferret.peer) {
    console.error(`mongo-as-of skipped: ${ferret.reason}`);
    return [];
  }
  try {
    const mongo = await openMongoDocumentStore(ferret.peer.url);
    const sqlite = openSqliteDocumentStore(join(dir, 'mongo-comparison.db'));
    progress(`writing ${(MONGO_SHAPE.resources * MONGO_SHAPE.versions).toLocaleString('en')} versions into FerretDB`);
    await writeHistory(mongo, MONGO_SHAPE);
    await writeHistory(sqlite, MONGO_SHAPE);
    const at = Array.from({ length: 50 }, (_, i) => scanTime(1 + ((i * 37) % (MONGO_SHAPE.scans - 1))));
    const [onMongo, onSqlite] = [inventoryQueries(mongo), inventoryQueries(sqlite)];
    await onMongo.page(ORG, asOfPage(at[0]!));
    const mongoMs = await latencies(at.length, (i) => onMongo.page(ORG, asOfPage(at[i]!)));
    const sqliteMs = await latencies(at.length, (i) => onSqlite.page(ORG, asOfPage(at[i]!)));
    const plan = await asOfPlan(mongo, at[0]!);
    await mongo.close();
    await sqlite.close();
    return [
      result('mongo-as-of (FerretDB)', 'ms p99', percentile(mongoMs, 99), percentile(sqliteMs, 99), 'none (baseline: the embedded store, same history)', {
        p50: round(percentile(mongoMs, 50)),
        versions: MONGO_SHAPE.resources * MONGO_SHAPE.versions,
        plan,
      }),
    ];
  } finally {
    await ferret.peer.stop();
  }
}

/** The plan the store chose for the as-of page (which index), on one line. */
async function asOfPlan(store: Awaited<ReturnType<typeof openMongoDocumentStore>>, instant: string): Promise<string> {
  const versions = store.collection(physicalName('inventory', 'versions', 1));
  // The first find of the as-of walk (queries/keyset-walk.ts): the validity bounds, walking the index by type and name.
  const filter = { $and: [{ orgId: ORG }, { type: TYPE }, { validFrom: { $lte: instant } }, { validTo: { $gt: instant } }, { live: true }] };
  const plan = await versions.explain(filter, { sort: [['name', 1], ['_id', 1]], limit: 101, hint: { index: VERSION_INDEXES.asOfByType } });
  return plan.replace(/\s+/g, ' ').slice(0, 300);
}

const round = (n: number) => Math.round(n * 100) / 100;
/** A long bench says what it is doing (on stderr, so --json output stays clean). */
const progress = (message: string) => console.error(`inventory bench: ${message}`);
