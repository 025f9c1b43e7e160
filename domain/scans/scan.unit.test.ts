import { describe, it } from 'vitest';
import { given } from '../eventsourcing/specification.ts';
import { scan, type PartitionFinishedData, type ScanEvent, type ScanRequestedData } from './scan.ts';

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
const finished = (key: string, outcome: PartitionFinishedData['outcome'], discovered = 1): ScanEvent => {
  const [region = '', collector = ''] = key.split('/');
  return {
    type: 'PartitionFinished',
    data: { key, region, collector, outcome, errorCode: outcome === 'ok' ? null : 'AccessDenied', message: null, discovered, changed: 0, deleted: 0, durationMs: 10 },
  };
};
const finishPartition = (key: string, outcome: PartitionFinishedData['outcome'] = 'ok') => {
  const { region: _r, collector: _c, ...data } = (finished(key, outcome) as Extract<ScanEvent, { type: 'PartitionFinished' }>).data;
  return { type: 'FinishPartition' as const, ...data };
};
const finishScan = { type: 'FinishScan' as const, durationMs: 500 };
const ended = (status: 'completed' | 'partial' | 'failed' | 'cancelled', discovered: number): ScanEvent => ({
  type: 'ScanFinished',
  data: { status, discovered, changed: 0, deleted: 0, durationMs: 500 },
});

describe('a scan', () => {
  it('is requested once; asking again changes nothing', () => {
    givenScan([]).when({ type: 'RequestScan', ...request }).then([requested]);
    givenScan([requested]).when({ type: 'RequestScan', ...request }).then([]);
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
    givenScan([requested]).when({ type: 'RequestCancellation', orgId: 'org-a', requestedBy: 'user-2' }).then([cancel]);
    givenScan([requested, cancel]).when({ type: 'RequestCancellation', orgId: 'org-a', requestedBy: 'user-2' }).then([]);
    givenScan([requested, cancel, finished('eu-west-1/vpcs', 'ok'), finished('global/iam', 'cancelled', 0)]).when(finishScan).then([ended('cancelled', 1)]);
  });

  it('cannot be cancelled once finished, nor by another organisation', () => {
    givenScan([requested, ended('completed', 0)]).when({ type: 'RequestCancellation', orgId: 'org-a', requestedBy: 'user-2' }).thenThrows('CONFLICT');
    givenScan([requested]).when({ type: 'RequestCancellation', orgId: 'org-b', requestedBy: 'user-2' }).thenThrows('NOT_FOUND');
  });

  it('finishes once', () => {
    givenScan([requested, ended('failed', 0)]).when(finishScan).then([]);
  });
});

describe('a claim on a scan', () => {
  const at = (time: string) => new Date(`2030-01-01T${time}Z`);
  const claim = (workerId: string, time: string) => ({ type: 'ClaimScan' as const, workerId, now: at(time), leaseMs: 30_000 });
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
    givenScan([requested, claimed('worker-a', '10:00:30')]).when({ type: 'ReleaseClaim', workerId: 'worker-b' }).then([]);
    givenScan([requested, claimed('worker-a', '10:00:30')]).when({ type: 'ReleaseClaim', workerId: 'worker-a' }).then([released('worker-a')]);
    givenScan([requested, claimed('worker-a', '10:00:30'), released('worker-a')]).when(claim('worker-b', '10:00:05')).then([claimed('worker-b', '10:00:35')]);
  });

  it('is not taken on a finished scan, nor on one never requested', () => {
    givenScan([requested, claimed('worker-a', '10:00:30'), ended('completed', 0)]).when(claim('worker-b', '10:00:10')).then([]);
    givenScan([requested, claimed('worker-a', '10:00:30'), ended('completed', 0)]).when({ type: 'ReleaseClaim', workerId: 'worker-a' }).then([]);
    givenScan([]).when(claim('worker-a', '10:00:00')).thenThrows('NOT_FOUND');
  });
});
