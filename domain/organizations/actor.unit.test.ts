import { describe, expect, it } from 'vitest';
import { authorize, recordedName, userActor } from './actor.ts';

describe('authorising an actor', () => {
  it('lets a person whose role has the permission, and the system processes named', () => {
    expect(() => authorize(userActor('user-1', 'member'), { permission: 'scans:start' }, 'No such scan')).not.toThrow();
    expect(() => authorize({ kind: 'system', process: 'scheduler' }, { permission: 'scans:start', processes: ['scheduler'] }, 'No such scan')).not.toThrow();
  });

  it('tells a member which roles may', () => {
    expect(() => authorize(userActor('user-1', 'viewer'), { permission: 'scans:start' }, 'No such scan')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: 'Your role in this organisation (viewer) does not allow this: it takes an owner, an admin or a member' }),
    );
  });

  it('tells a non-member only that there is no such thing', () => {
    expect(() => authorize(userActor('user-1', undefined), { permission: 'scans:start' }, 'No such scan')).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: 'No such scan' }));
  });

  it('refuses people what only the system does, and the system what it was not named for', () => {
    expect(() => authorize(userActor('user-1', 'owner'), { processes: ['scan-worker'] }, 'No such scan')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', message: 'Only Cloudventory itself does this' }));
    expect(() => authorize({ kind: 'system', process: 'scheduler' }, { processes: ['scan-worker'] }, 'No such scan')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => authorize({ kind: 'system', process: 'scan-worker' }, { permission: 'connections:manage' }, 'No such connection')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});

describe('naming an actor in the record', () => {
  it('is the user id, the schedule, or the system', () => {
    expect(recordedName(userActor('user-1', 'admin'))).toBe('user-1');
    expect(recordedName({ kind: 'system', process: 'scheduler' })).toBe('schedule');
    expect(recordedName({ kind: 'system', process: 'scan-worker' })).toBe('system');
  });
});
