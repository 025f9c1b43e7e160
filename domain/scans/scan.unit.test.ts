import { describe, it } from 'vitest';
import { given } from '../eventsourcing/specification.ts';
import { userActor, type Actor, type Authority } from '../organizations/actor.ts';
import { everyActor, expectedOutcome } from '../organizations/testing/actors.ts';
import { scan, type PartitionFinishedData, type ScanCommand, type ScanEvent, type ScanRequestedData } from './scan.ts';

const givenScan = (history: ScanEvent[]) => given(scan, history);

const request: ScanRequestedData = {
  scanId: 'scan-1',
  connectionId: 'conn-1',
  orgId: 'org-a',
  accountId: '210987654321',
  requestedBy: 'user-1',
  trigger: 'manual',
  partitions: [
    { key: 'eu-west-1/vpcs', region: 'eu-west-1', collector: 'vpcs', types: ['ec2:vpc', 'ec2:subnet'] },
    { key: 'global/iam', region: 'global', collector: 'iam', types: ['iam:user'] },
  ],
};
const requested: ScanEvent = { type: 'ScanRequested', data: request };
const { requestedBy: _, ...requestData } = request;
const byUser1 = userActor('user-1', 'member');
const byUser2 = userActor('user-2', 'member');
const scanWorker: Actor = { kind: 'system', process: 'scan-worker' };
const requestScan: ScanCommand = { type: 'RequestScan', actor: byUser1, ...requestData };
const finished = (key: string, outcome: PartitionFinishedData['outcome'], discovered = 1): ScanEvent => {
  const [region = '', collector = ''] = key.split('/');
  return {
    type: 'PartitionFinished',
    data: { key, region, collector, outcome, errorCode: outcome === 'ok' ? null : 'AccessDenied', message: null, discovered, changed: 0, deleted: 0, durationMs: 10 },
  };
};
const finishPartition = (key: string, outcome: PartitionFinishedData['outcome'] = 'ok') => {
  const { region: _r, collector: _c, ...data } = (finished(key, outcome) as Extract<ScanEvent, { type: 'PartitionFinished' }>).data;
  return { type: 'FinishPartition' as const, actor: scanWorker, ...data };
};
const finishScan: ScanCommand = { type: 'FinishScan', actor: scanWorker, durationMs: 500 };
const ended = (status: 'completed' | 'partial' | 'failed' | 'cancelled', discovered: number): ScanEvent => ({
  type: 'ScanFinished',
  data: { status, discovered, changed: 0, deleted: 0, durationMs: 500 },
});

describe('a scan', () => {
  it('is requested once; asking again changes nothing', () => {
    givenScan([]).when(requestScan).then([requested]);
    givenScan([requested]).when(requestScan).then([]);
  });

  it('records a partition with its region and collector, once', () => {
    givenScan([requested]).when(finishPartition('eu-west-1/vpcs')).then([finished('eu-west-1/vpcs', 'ok')]);
    givenScan([requested, finished('eu-west-1/vpcs', 'ok')]).when(finishPartition('eu-west-1/vpcs')).then([]);
  });

  it('refuses a partition it does not cover', () => {
    givenScan([requested]).when(finishPartition('us-east-1/vpcs')).thenThrows('VALIDATION_FAILED');
  });

  it('completes when every partition was ok, and adds up the counts', () => {
    givenScan([requested, finished('eu-west-1/vpcs', 'ok', 3), finished('global/iam', 'ok', 2)]).when(finishScan).then([ended('completed', 5)]);
  });

  it('is partial when some partitions were ok and failed when none was', () => {
    givenScan([requested, finished('eu-west-1/vpcs', 'ok'), finished('global/iam', 'denied', 0)]).when(finishScan).then([ended('partial', 1)]);
    givenScan([requested, finished('eu-west-1/vpcs', 'throttled', 0), finished('global/iam', 'denied', 0)]).when(finishScan).then([ended('failed', 0)]);
  });

  it('counts a partition that never finished as not ok', () => {
    givenScan([requested, finished('eu-west-1/vpcs', 'ok')]).when(finishScan).then([ended('partial', 1)]);
  });

  it('is cancelled when cancellation was requested before the end', () => {
    const cancel: ScanEvent = { type: 'ScanCancellationRequested', data: { requestedBy: 'user-2' } };
    givenScan([requested]).when({ type: 'RequestCancellation', actor: byUser2, orgId: 'org-a' }).then([cancel]);
    givenScan([requested, cancel]).when({ type: 'RequestCancellation', actor: byUser2, orgId: 'org-a' }).then([]);
    givenScan([requested, cancel, finished('eu-west-1/vpcs', 'ok'), finished('global/iam', 'cancelled', 0)]).when(finishScan).then([ended('cancelled', 1)]);
  });

  it('cannot be cancelled once finished, nor by another organisation', () => {
    givenScan([requested, ended('completed', 0)]).when({ type: 'RequestCancellation', actor: byUser2, orgId: 'org-a' }).thenThrows('CONFLICT');
    givenScan([requested]).when({ type: 'RequestCancellation', actor: byUser2, orgId: 'org-b' }).thenThrows('NOT_FOUND');
  });

  it('is recorded as requested by the schedule when the scheduler asks', () => {
    givenScan([])
      .when({ ...requestScan, actor: { kind: 'system', process: 'scheduler' }, trigger: 'schedule' })
      .then([{ type: 'ScanRequested', data: { ...request, requestedBy: 'schedule', trigger: 'schedule' } }]);
  });

  it('finishes once', () => {
    givenScan([requested, ended('failed', 0)]).when(finishScan).then([]);
  });
});

describe('a claim on a scan', () => {
  const at = (time: string) => new Date(`2030-01-01T${time}Z`);
  const claim = (workerId: string, time: string): ScanCommand => ({ type: 'ClaimScan', actor: scanWorker, workerId, now: at(time), leaseMs: 30_000 });
  const claimed = (workerId: string, leaseUntil: string): ScanEvent => ({ type: 'ScanClaimed', data: { workerId, leaseUntil: at(leaseUntil).toISOString() } });
  const released = (workerId: string): ScanEvent => ({ type: 'ScanClaimReleased', data: { workerId } });

  it('goes to the first worker that asks, for the lease from now', () => {
    givenScan([requested]).when(claim('worker-a', '10:00:00')).then([claimed('worker-a', '10:00:30')]);
  });

  it('is renewed by its holder, even after its lease ran out', () => {
    givenScan([requested, claimed('worker-a', '10:00:30')]).when(claim('worker-a', '10:00:10')).then([claimed('worker-a', '10:00:40')]);
    givenScan([requested, claimed('worker-a', '10:00:30')]).when(claim('worker-a', '10:01:00')).then([claimed('worker-a', '10:01:30')]);
  });

  it('is refused to another worker while the lease holds, and taken over once it has run out', () => {
    givenScan([requested, claimed('worker-a', '10:00:30')]).when(claim('worker-b', '10:00:29')).thenThrows('CONFLICT', /worker-a/);
    givenScan([requested, claimed('worker-a', '10:00:30')]).when(claim('worker-b', '10:00:30')).then([claimed('worker-b', '10:01:00')]);
    // The former holder has lost it.
    givenScan([requested, claimed('worker-a', '10:00:30'), claimed('worker-b', '10:01:00')]).when(claim('worker-a', '10:00:40')).thenThrows('CONFLICT');
  });

  it('is given up by its holder only, after which any worker may claim the scan at once', () => {
    givenScan([requested, claimed('worker-a', '10:00:30')]).when({ type: 'ReleaseClaim', actor: scanWorker, workerId: 'worker-b' }).then([]);
    givenScan([requested, claimed('worker-a', '10:00:30')]).when({ type: 'ReleaseClaim', actor: scanWorker, workerId: 'worker-a' }).then([released('worker-a')]);
    givenScan([requested, claimed('worker-a', '10:00:30'), released('worker-a')]).when(claim('worker-b', '10:00:05')).then([claimed('worker-b', '10:00:35')]);
  });

  it('is not taken on a finished scan, nor on one never requested', () => {
    givenScan([requested, claimed('worker-a', '10:00:30'), ended('completed', 0)]).when(claim('worker-b', '10:00:10')).then([]);
    givenScan([requested, claimed('worker-a', '10:00:30'), ended('completed', 0)]).when({ type: 'ReleaseClaim', actor: scanWorker, workerId: 'worker-a' }).then([]);
    givenScan([]).when(claim('worker-a', '10:00:00')).thenThrows('NOT_FOUND');
  });
});

/**
 * Who may do what: one case per command and actor, expected from the permission table (roles.ts) for
 * people, the role being what the API read from the membership read model. Only the scan worker runs
 * a scan; a non-member learns nothing, not even that the scan exists.
 */
describe('who may do what with a scan', () => {
  const claimed: ScanEvent = { type: 'ScanClaimed', data: { workerId: 'worker-a', leaseUntil: '2030-01-01T10:00:30.000Z' } };
  const requesterOf = (actor: Actor) => (actor.kind === 'user' ? actor.userId : 'schedule');
  const cases: Array<{ authority: Authority; given: ScanEvent[]; when: (actor: Actor) => ScanCommand; then: (actor: Actor) => ScanEvent[] }> = [
    {
      authority: { permission: 'scans:start', processes: ['scheduler'] },
      given: [],
      when: (actor) => ({ ...requestScan, actor }),
      then: (actor) => [{ type: 'ScanRequested', data: { ...request, requestedBy: requesterOf(actor) } }],
    },
    {
      authority: { permission: 'scans:start' },
      given: [requested],
      when: (actor) => ({ type: 'RequestCancellation', actor, orgId: 'org-a' }),
      then: (actor) => [{ type: 'ScanCancellationRequested', data: { requestedBy: requesterOf(actor) } }],
    },
    {
      authority: { processes: ['scan-worker'] },
      given: [requested],
      when: (actor) => ({ ...finishPartition('eu-west-1/vpcs'), actor }),
      then: () => [finished('eu-west-1/vpcs', 'ok')],
    },
    {
      authority: { processes: ['scan-worker'] },
      given: [requested, finished('eu-west-1/vpcs', 'ok', 3), finished('global/iam', 'ok', 2)],
      when: (actor) => ({ type: 'FinishScan', actor, durationMs: 500 }),
      then: () => [ended('completed', 5)],
    },
    {
      authority: { processes: ['scan-worker'] },
      given: [requested],
      when: (actor) => ({ type: 'ClaimScan', actor, workerId: 'worker-a', now: new Date('2030-01-01T10:00:00Z'), leaseMs: 30_000 }),
      then: () => [claimed],
    },
    {
      authority: { processes: ['scan-worker'] },
      given: [requested, claimed],
      when: (actor) => ({ type: 'ReleaseClaim', actor, workerId: 'worker-a' }),
      then: () => [{ type: 'ScanClaimReleased', data: { workerId: 'worker-a' } }],
    },
  ];

  for (const { authority, given: history, when, then } of cases)
    describe(`${when(byUser1).type} (${authority.permission ?? 'no person'}; ${authority.processes?.join(', ') ?? 'no system process'})`, () => {
      for (const { who, actor } of everyActor) {
        const expected = expectedOutcome(actor, authority);
        if (expected === 'allowed') it(`is done for ${who}`, () => givenScan(history).when(when(actor)).then(then(actor)));
        else if (expected === 'FORBIDDEN') it(`is refused to ${who}`, () => givenScan(history).when(when(actor)).thenThrows('FORBIDDEN'));
        else it(`is unknown to ${who}`, () => givenScan(history).when(when(actor)).thenThrows('NOT_FOUND', /No such scan/));
      }
    });
});
