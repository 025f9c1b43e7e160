import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowList, judgeAudit, type AllowedAdvisory } from './dependency-audit.ts';

/** What `npm audit --json` prints (report version 2): one advisory per `via` object. */
const report = (...advisories: Array<{ name: string; severity: string; ghsa: string; source?: number }>) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: Object.fromEntries(
      advisories.map(({ name, severity, ghsa, source = 1100000 }) => [
        name,
        {
          name,
          severity,
          isDirect: false,
          via: [{ source, name, dependency: name, title: `A flaw in ${name}`, url: `https://github.com/advisories/${ghsa}`, severity, cwe: [], range: '<2.0.0' }, 'parent'],
          effects: [],
          range: '<2.0.0',
          nodes: [`node_modules/${name}`],
          fixAvailable: true,
        },
      ]),
    ),
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } },
  });

const entry = (overrides: Partial<AllowedAdvisory> = {}): AllowedAdvisory => ({
  id: 'GHSA-2222-3333-4444',
  package: 'left-pad',
  reason: 'Reached only through the build tooling, never with input from a request.',
  reviewedOn: '2026-12-01',
  reviewAgainBy: '2027-03-01',
  ...overrides,
});
const today = '2026-12-06';

describe('the dependency audit', () => {
  it('passes a clean report', () => {
    expect(judgeAudit(report(), [], today)).toMatchObject({ kind: 'judged', passed: true, blocking: [] });
  });

  it('fails on a high or critical advisory, and leaves moderate and low ones to regular updates', () => {
    const verdict = judgeAudit(
      report({ name: 'left-pad', severity: 'high', ghsa: 'GHSA-2222-3333-4444' }, { name: 'is-odd', severity: 'critical', ghsa: 'GHSA-5555-6666-7777' }, { name: 'is-even', severity: 'moderate', ghsa: 'GHSA-8888-9999-cccc' }),
      [],
      today,
    );
    expect(verdict).toMatchObject({ kind: 'judged', passed: false });
    expect(verdict.kind === 'judged' && verdict.blocking.map((finding) => `${finding.severity} ${finding.id} ${finding.package}`)).toEqual([
      'high GHSA-2222-3333-4444 left-pad',
      'critical GHSA-5555-6666-7777 is-odd',
    ]);
  });

  it('passes an advisory on the allow-list, for that package only', () => {
    const advisory = { name: 'left-pad', severity: 'high', ghsa: 'GHSA-2222-3333-4444' };
    expect(judgeAudit(report(advisory), [entry()], today)).toMatchObject({ passed: true, allowed: [{ id: 'GHSA-2222-3333-4444' }] });
    expect(judgeAudit(report(advisory), [entry({ package: 'right-pad' })], today)).toMatchObject({ passed: false });
  });

  it('fails when an allow-list entry is past its review date, and names entries no advisory needs', () => {
    const verdict = judgeAudit(report({ name: 'left-pad', severity: 'high', ghsa: 'GHSA-2222-3333-4444' }), [entry({ reviewAgainBy: '2026-12-05' }), entry({ id: 'GHSA-xxxx-wwww-vvvv' })], today);
    expect(verdict).toMatchObject({ passed: false, blocking: [], expired: [{ reviewAgainBy: '2026-12-05' }], unused: [{ id: 'GHSA-xxxx-wwww-vvvv' }] });
  });

  it('says the audit could not run when npm printed an error instead of a report', () => {
    const refused = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 });
    expect(judgeAudit(refused, [], today)).toEqual({ kind: 'unavailable', why: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk' });
    expect(judgeAudit('', [], today)).toMatchObject({ kind: 'unavailable' });
  });

  it('reads the allow-list kept beside it, whose entries all say why and when to look again', () => {
    const list = allowList.parse(JSON.parse(readFileSync(join(import.meta.dirname, 'allowlist.json'), 'utf8')));
    for (const advisory of list.advisories) expect(advisory.reviewAgainBy > advisory.reviewedOn).toBe(true);
    expect(() => allowList.parse({ advisories: [{ ...entry(), reason: 'fine' }] })).toThrow(/must say why/);
  });
});
