import { systemProcesses, userActor, type Actor, type Authority } from '../actor.ts';
import { can, roles } from '../roles.ts';

/** Everyone who might issue a command: a person in each role, a non-member, each system process. */
export const everyActor: ReadonlyArray<{ who: string; actor: Actor }> = [
  ...roles.map((role) => ({ who: `a person in the ${role} role`, actor: userActor(`user-${role}`, role) })),
  { who: 'a non-member', actor: userActor('user-stranger', null) },
  ...systemProcesses.map((process) => ({ who: `the ${process}`, actor: { kind: 'system', process } as const })),
];

/**
 * What should come of the actor issuing a command the people with `permission` and the `processes`
 * named may issue: read from the permission table (roles.ts), so a change there changes the specifications.
 */
export function expectedOutcome(actor: Actor, { permission, processes = [] }: Authority): 'allowed' | 'FORBIDDEN' | 'NOT_FOUND' {
  if (actor.kind === 'system') return processes.includes(actor.process) ? 'allowed' : 'FORBIDDEN';
  if (actor.role === null) return 'NOT_FOUND';
  return permission !== undefined && can(actor.role, permission) ? 'allowed' : 'FORBIDDEN';
}
