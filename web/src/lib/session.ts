import type { Me, Role } from './api';

/** What a person is called on screen: their name when they gave one, their address otherwise. */
export function displayName(user: Pick<Me['user'], 'email' | 'firstName' | 'lastName'>): string {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ').trim();
  return name || user.email;
}

/** Owners and admins manage members, invitations, settings and read the organisation's audit trail. */
export const canManage = (role: Role | undefined) => role === 'owner' || role === 'admin';

export function currentOrganization(me: Me | null | undefined) {
  return me?.organizations.find((o) => o.id === me.currentOrganizationId) ?? me?.organizations[0];
}

/**
 * Where to go after signing in: only a path of this app (never another site, never `//host`), so a
 * crafted link cannot send someone elsewhere.
 */
export function safeNext(value: string | null | undefined): string | undefined {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (value.startsWith('/login') || value.startsWith('/api/')) return undefined;
  return value;
}
