import Database from 'better-sqlite3';

/** One benchmark figure: ours against a baseline measured in the same run. */
export interface BenchResult {
  bench: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  target?: string;
  /** Further figures of the same run (e.g. peakRssMb), printed as extra keys of the JSON line. */
  [extra: string]: number | string | undefined;
}

export function result(bench: string, unit: string, ours: number, baseline: number, target?: string, extras: Record<string, number | string> = {}): BenchResult {
  const round = (n: number) => Math.round(n * 100) / 100;
  // Two significant digits: a ratio far below 1 still reads as a number (0.0028), not as 0.
  const ratio = Number((ours / baseline).toPrecision(2));
  return { bench, value: round(ours), unit, baseline: round(baseline), ratio, ...(target ? { target } : {}), ...extras };
}

const COLUMNS = new Set(['bench', 'value', 'unit', 'baseline', 'ratio', 'target']);

export function printTable(results: readonly BenchResult[]): void {
  const extras = (r: BenchResult) =>
    Object.entries(r)
      .filter(([key]) => !COLUMNS.has(key))
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
  const rows = results.map((r) => [r.bench, `${r.value.toLocaleString('en')} ${r.unit}`, `${r.baseline.toLocaleString('en')} ${r.unit}`, r.ratio.toFixed(2), r.target ?? '', extras(r)]);
  const header = ['bench', 'ours', 'baseline', 'ratio', 'target', 'also'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export async function timed(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

/** A bare SQLite file as the baselines use it: the embedded stores' journal and sync settings, nothing of ours. */
export function bareSqlite(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}
