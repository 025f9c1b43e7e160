// `npm run bench` prints a table; `npm run bench -- --json` prints one JSON object a line.
// Each figure is ours against a baseline measured in the same run, on the embedded stores.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreBenches } from './event-store.bench.ts';
import { printTable, type BenchResult } from './report.ts';
import { scanDiffBenches } from './scan-diff.bench.ts';
import { scanOverheadBenches } from './scan-overhead.bench.ts';

const json = process.argv.includes('--json');
const dir = mkdtempSync(join(tmpdir(), 'cv-bench-'));
try {
  // scan-overhead last: it needs moto and skips itself, with a reason, when moto is missing.
  const results: BenchResult[] = [...(await eventStoreBenches(dir)), ...(await scanDiffBenches(dir)), ...(await scanOverheadBenches())];
  if (json) for (const r of results) console.log(JSON.stringify(r));
  else printTable(results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
