/**
 * The one permission table. Every route names the permission it needs; one mechanism (the API's
 * authorisation hook) checks the caller's role in the current organisation against this table, and
 * the deciders check it again (actor.ts), so a hole in the HTTP layer cannot write.
 */
export const roles = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof roles)[number];

const table = {
  'organization:read': ['owner', 'admin', 'member', 'viewer'],
  'organization:update': ['owner', 'admin'],
  'organization:leave': ['owner', 'admin', 'member', 'viewer'],
  'members:read': ['owner', 'admin', 'member', 'viewer'],
  'members:invite': ['owner', 'admin'],
  'members:change-role': ['owner', 'admin'],
  'members:remove': ['owner', 'admin'],
  'audit:read-organization': ['owner', 'admin'],
  'connections:read': ['owner', 'admin', 'member', 'viewer'],
  'connections:manage': ['owner', 'admin'],
  'scans:start': ['owner', 'admin', 'member'],
  'inventory:read': ['owner', 'admin', 'member', 'viewer'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof table;
export const permissions = Object.keys(table) as Permission[];

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (table[permission] as readonly Role[]).includes(role);
}

/** Only an owner may make or unmake owners. */
export function canAssign(actor: Role, target: Role): boolean {
  return actor === 'owner' || target !== 'owner';
}
