// `npm test` ends with this (after the tests, so that their results are always seen): a high or
// critical advisory in a runtime dependency fails the run unless it is on the reviewed allow-list
// beside this file.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allowList, judgeAudit, type Finding } from './dependency-audit.ts';

const root = resolve(import.meta.dirname, '../..');
const listFile = join(import.meta.dirname, 'allowlist.json');
const allowed = allowList.parse(JSON.parse(readFileSync(listFile, 'utf8'))).advisories;

const npm = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const verdict = judgeAudit(npm.stdout ?? '', allowed, new Date().toISOString().slice(0, 10));
const line = (finding: Finding) => `  ${finding.severity} ${finding.id} in ${finding.package} ${finding.range}: ${finding.title} (${finding.url})`;

if (verdict.kind === 'unavailable') {
  // Like a missing test peer: skipped with its reason on a workstation, a failure under CI — except
  // where the registry itself says it serves no audits (a read-only mirror answers 405 to the POST):
  // that is final, and failing every run would hide the tests' own verdict.
  const message = `dependency audit could not run (${verdict.why})`;
  const refusedByRegistry = /405 Method Not Allowed/.test(`${npm.stdout}${npm.stderr}`);
  if (process.env.CI === 'true' && !refusedByRegistry) {
    console.error(`${message}; under CI=true it must: the registry has to answer npm audit`);
    process.exit(1);
  }
  console.log(`${message}: skipped${refusedByRegistry ? ' — this registry does not serve npm audit' : ''}`);
  process.exit(0);
}

for (const entry of verdict.unused) console.log(`dependency audit: allow-list entry ${entry.id} (${entry.package}) matches no advisory any more: remove it from ${listFile}`);
if (verdict.allowed.length > 0) console.log(`dependency audit: allowed after review (${listFile}):\n${verdict.allowed.map(line).join('\n')}`);
if (verdict.passed) {
  console.log('dependency audit: no high or critical advisory in the runtime dependencies outside the allow-list');
  process.exit(0);
}
if (verdict.blocking.length > 0)
  console.error(
    `dependency audit: high or critical advisories in runtime dependencies — upgrade (npm audit fix, or a pinned bump that still runs on Node 20), or review and add to ${listFile}:\n${verdict.blocking.map(line).join('\n')}`,
  );
for (const entry of verdict.expired) console.error(`dependency audit: allow-list entry ${entry.id} (${entry.package}) was due for review by ${entry.reviewAgainBy}: review it again`);
process.exit(1);
