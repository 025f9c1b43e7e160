// `npm run bench` prints a table; `npm run bench -- --json` prints one JSON object a line;
// `npm run bench -- inventory scan-diff` runs only those groups.
// Each figure is ours against a baseline measured in the same run, on the embedded stores.
// Each bench (*.bench.ts) sits beside what it measures; this runner gathers them, and is with
// `npm start` one of the entry points allowed to import every layer (eslint.config.js).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreBenches } from '../event-store/event-store.bench.ts';
import { inventoryBenches } from '../../projections/inventory/inventory.bench.ts';
import { projectBenches } from '../../projections/runner.bench.ts';
import { scanDiffBenches } from '../../scanner/scan-diff.bench.ts';
import { scanOverheadBenches } from '../../scanner/scan-overhead.bench.ts';
import { printTable, type BenchResult } from './report.ts';

const json = process.argv.includes('--json');
const chosen = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const dir = mkdtempSync(join(tmpdir(), 'cv-bench-'));
// scan-overhead last: it needs moto and skips itself, with a reason, when moto is missing.
const groups: Record<string, () => Promise<BenchResult[]>> = {
  // append and read-all, then project on the log they wrote.
  'event-store': () => eventStoreBenches(dir, (log) => projectBenches(dir, log)),
  'scan-diff': () => scanDiffBenches(dir),
  inventory: () => inventoryBenches(),
  'scan-overhead': () => scanOverheadBenches(),
};
const unknown = chosen.filter((name) => !(name in groups));
if (unknown.length) {
  console.error(`Unknown bench group ${unknown.join(', ')}; the groups are ${Object.keys(groups).join(', ')}`);
  process.exit(2);
}
try {
  const results: BenchResult[] = [];
  for (const [name, run] of Object.entries(groups)) if (chosen.length === 0 || chosen.includes(name)) results.push(...(await run()));
  if (json) for (const r of results) console.log(JSON.stringify(r));
  else printTable(results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
