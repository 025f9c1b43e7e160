import { AppError, NotFoundError } from '../errors.ts';
import { can, roles, type Permission, type Role } from './roles.ts';

/**
 * Who issues a command, checked by the decider itself so that a hole in the HTTP layer cannot write.
 * A person comes with their role in the command's organisation (null: not a member); aggregates that
 * do not hold memberships (connections, scans) take it from the API, which reads the membership read
 * model, while the organisation aggregate reads it from its own members. Cloudventory's own
 * processes are named as such: a missing role never passes for the system.
 */
export type Actor = { kind: 'user'; userId: string; role: Role | null } | { kind: 'system'; process: SystemProcess };

/** Cloudventory acting on its own account: requesting scheduled scans, running and ending scans. */
export const systemProcesses = ['scheduler', 'scan-worker'] as const;
export type SystemProcess = (typeof systemProcesses)[number];

/** A person and their role in the organisation; no role means no membership. */
export const userActor = (userId: string, role: Role | null | undefined): Actor => ({ kind: 'user', userId, role: role ?? null });

/** Who may issue a command: people whose role has `permission`, and the system `processes` named. */
export interface Authority {
  permission?: Permission;
  processes?: readonly SystemProcess[];
}

/**
 * Refuses a command its actor may not issue. A non-member learns nothing, not even that the object
 * exists (`notFound` is the aggregate's own "No such …"); a member is told which roles may.
 */
export function authorize(actor: Actor, authority: Authority, notFound: string): void {
  if (actor.kind === 'system') {
    if (!authority.processes?.includes(actor.process)) throw new AppError('FORBIDDEN', `The ${actor.process} may not issue this command`);
    return;
  }
  if (actor.role === null) throw new NotFoundError(notFound);
  const { permission } = authority;
  if (!permission) throw new AppError('FORBIDDEN', 'Only Cloudventory itself does this');
  if (!can(actor.role, permission)) throw new AppError('FORBIDDEN', `Your role in this organisation (${actor.role}) does not allow this: it takes ${holdersOf(permission)}`);
}

/** How the audit trail and the scan history name the actor: the user id, 'schedule' (as recorded from the start), or 'system'. */
export function recordedName(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  return actor.process === 'scheduler' ? 'schedule' : 'system';
}

/** `an owner or an admin`, from the permission table. */
function holdersOf(permission: Permission): string {
  const holders = roles.filter((role) => can(role, permission)).map((role) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`);
  return holders.length > 1 ? `${holders.slice(0, -1).join(', ')} or ${holders.at(-1)!}` : holders.join('');
}
