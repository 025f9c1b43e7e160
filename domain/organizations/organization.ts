import { AppError, ConflictError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import type { Role } from './roles.ts';

export const organizationStream = (orgId: string) => `org-${orgId}`;

export type OrganizationEvent =
  | { type: 'OrganizationCreated'; data: { orgId: string; name: string; timezone: string; ownerId: string } }
  | { type: 'MemberJoined'; data: { userId: string; role: Role } };

export type OrganizationCommand = { type: 'CreateOrganization'; orgId: string; name: string; timezone: string; ownerId: string };

export interface OrganizationState {
  orgId?: string;
  members: Record<string, Role>;
}

export const organization: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = {
  initialState: () => ({ members: {} }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'OrganizationCreated':
        return { ...state, orgId: event.data.orgId };
      case 'MemberJoined':
        return { ...state, members: { ...state.members, [event.data.userId]: event.data.role } };
      default:
        return state;
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'CreateOrganization': {
        if (state.orgId) throw new ConflictError('This organisation already exists');
        const name = command.name.trim();
        if (!name) throw new AppError('VALIDATION_FAILED', 'The organisation needs a name');
        return [
          { type: 'OrganizationCreated', data: { orgId: command.orgId, name, timezone: command.timezone, ownerId: command.ownerId } },
          { type: 'MemberJoined', data: { userId: command.ownerId, role: 'owner' } },
        ];
      }
    }
  },
};
