import { z } from 'zod';

/** The severities that fail the run; lower ones are left to the regular dependency updates. */
const blockingSeverities = new Set(['high', 'critical']);

const advisory = z.object({
  source: z.number(),
  name: z.string(),
  title: z.string(),
  url: z.string(),
  severity: z.string(),
  range: z.string(),
});

/** The part of `npm audit --json` (report version 2) this reads: each vulnerable package's advisories. */
const auditReport = z.object({
  vulnerabilities: z.record(z.string(), z.object({ via: z.array(z.union([advisory, z.string()])), fixAvailable: z.unknown() })),
});

const isoDate = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });

/** An advisory that cannot be fixed yet, with why it is acceptable and when to look again. */
const allowedAdvisory = z.object({
  id: z.string().regex(/^(GHSA(-[23456789cfghjmpqrvwx]{4}){3}|\d+)$/, 'must be a GHSA id or an npm advisory number'),
  package: z.string().min(1),
  reason: z.string().min(20, 'must say why the advisory does not reach Cloudventory, or why it cannot be fixed yet'),
  reviewedOn: isoDate,
  reviewAgainBy: isoDate,
});
export type AllowedAdvisory = z.infer<typeof allowedAdvisory>;

export const allowList = z.object({ advisories: z.array(allowedAdvisory) });

export interface Finding {
  /** The GHSA id (or npm's advisory number when there is none). */
  id: string;
  source: number;
  package: string;
  severity: string;
  title: string;
  url: string;
  /** The vulnerable versions. */
  range: string;
}

export type AuditVerdict =
  | { kind: 'unavailable'; why: string }
  | { kind: 'judged'; passed: boolean; blocking: Finding[]; allowed: Finding[]; expired: AllowedAdvisory[]; unused: AllowedAdvisory[] };

/**
 * Judges what `npm audit --omit=dev --json` printed: every high or critical advisory must be fixed
 * or on the allow-list, and no allow-list entry may be past its review date.
 */
export function judgeAudit(stdout: string, allowed: readonly AllowedAdvisory[], today: string): AuditVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return { kind: 'unavailable', why: `npm audit printed no report: ${stdout.trim().slice(0, 200) || '(nothing)'}` };
  }
  const report = auditReport.safeParse(parsed);
  if (!report.success) {
    const message = (parsed as { message?: unknown; error?: { summary?: unknown } } | null)?.message ?? (parsed as { error?: { summary?: unknown } } | null)?.error?.summary;
    return { kind: 'unavailable', why: typeof message === 'string' ? message : 'npm audit printed something other than a report' };
  }

  const findings = new Map<string, Finding>();
  for (const vulnerability of Object.values(report.data.vulnerabilities))
    for (const via of vulnerability.via) {
      if (typeof via === 'string' || !blockingSeverities.has(via.severity)) continue;
      const id = /\/(GHSA-[\w-]+)$/.exec(via.url)?.[1] ?? String(via.source);
      findings.set(`${id} ${via.name}`, { id, source: via.source, package: via.name, severity: via.severity, title: via.title, url: via.url, range: via.range });
    }

  const covers = (entry: AllowedAdvisory, finding: Finding) => (entry.id === finding.id || entry.id === String(finding.source)) && entry.package === finding.package;
  const all = [...findings.values()];
  const blocking = all.filter((finding) => !allowed.some((entry) => covers(entry, finding)));
  const expired = allowed.filter((entry) => entry.reviewAgainBy < today);
  const unused = allowed.filter((entry) => !all.some((finding) => covers(entry, finding)));
  return { kind: 'judged', passed: blocking.length === 0 && expired.length === 0, blocking, allowed: all.filter((finding) => !blocking.includes(finding)), expired, unused };
}
