import { auditTrail } from './audit/audit-trail.ts';
import type { Projection } from './projection.ts';

/** Every projection the application runs, by name. */
export const projections: readonly Projection[] = [auditTrail];

export function projectionNamed(name: string): Projection | undefined {
  return projections.find((p) => p.name === name);
}
