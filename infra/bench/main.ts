// `npm run bench` prints a table; `npm run bench -- --json` prints one JSON object a line;
// `npm run bench -- inventory scan-diff` runs only those groups.
// Each figure is ours against a baseline measured in the same run, on the embedded stores.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreBenches } from './event-store.bench.ts';
import { inventoryBenches } from './inventory.bench.ts';
import { printTable, type BenchResult } from './report.ts';
import { scanDiffBenches } from './scan-diff.bench.ts';
import { scanOverheadBenches } from './scan-overhead.bench.ts';

const json = process.argv.includes('--json');
const chosen = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const dir = mkdtempSync(join(tmpdir(), 'cv-bench-'));
// scan-overhead last: it needs moto and skips itself, with a reason, when moto is missing.
const groups: Record<string, () => Promise<BenchResult[]>> = {
  'event-store': () => eventStoreBenches(dir),
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
