import { describe, it } from 'vitest';
import { given } from '../eventsourcing/specification.ts';
import { partitionDecider, type InventoryEvent, type ObservedResource, type Observation } from './partition.ts';

/** A diff good enough for the spec: the decider only passes it through. */
const partition = partitionDecider((before, after) => (before.config.size === after.config.size ? [] : ['config.size']));
const givenPartition = (history: InventoryEvent[]) => given(partition, history);

const scanId = 'scan-2';
const connectionId = 'conn-1';
const observedAt = '2026-03-02T08:00:00.000Z';
const volume = (id: string, size = 8): ObservedResource => ({
  arn: `arn:aws:ec2:eu-west-1:1:volume/${id}`,
  type: 'ec2:volume',
  accountId: '1',
  region: 'eu-west-1',
  name: id,
  tags: {},
  config: { size },
  relationships: [],
});
const print = (resource: ObservedResource) => `fp-${String(resource.config.size)}`;
const seen = (resource: ObservedResource, previous?: ObservedResource): Observation => ({ resource, fingerprint: print(resource), previous });
const discovered = (resource: ObservedResource, scan = 'scan-1'): InventoryEvent => ({
  type: 'ResourceDiscovered',
  data: { arn: resource.arn, type: resource.type, resource, fingerprint: print(resource), observedAt, scanId: scan, connectionId },
});
const deleted = (resource: ObservedResource, scan = 'scan-1'): InventoryEvent => ({ type: 'ResourceDeleted', data: { arn: resource.arn, type: resource.type, observedAt, scanId: scan, connectionId } });
const observe = (...observed: Observation[]) => ({ type: 'RecordObservations' as const, scanId, connectionId, observedAt, observed });
const finish = (complete: boolean, ...arns: string[]) => ({ type: 'FinishListing' as const, scanId, connectionId, observedAt, complete, seen: new Set(arns) });

describe('an inventory partition', () => {
  it('discovers a resource it has never seen', () => {
    givenPartition([]).when(observe(seen(volume('a')))).then([discovered(volume('a'), scanId)]);
  });

  it('records nothing for a resource that did not change', () => {
    givenPartition([discovered(volume('a'))]).when(observe(seen(volume('a')))).then([]);
  });

  it('records a change with the new state and the changed paths', () => {
    const grown = volume('a', 16);
    givenPartition([discovered(volume('a'))])
      .when(observe(seen(grown, volume('a'))))
      .then([{ type: 'ResourceChanged', data: { arn: grown.arn, type: 'ec2:volume', resource: grown, fingerprint: 'fp-16', changedPaths: ['config.size'], observedAt, scanId, connectionId } }]);
  });

  it('judges a resource listed twice in one part against its first sighting', () => {
    givenPartition([]).when(observe(seen(volume('a')), seen(volume('a')))).then([discovered(volume('a'), scanId)]);
  });

  it('deletes what a complete listing did not see, and only that', () => {
    givenPartition([discovered(volume('a')), discovered(volume('b'))])
      .when(finish(true, volume('a').arn))
      .then([deleted(volume('b'), scanId)]);
  });

  it('never deletes after an incomplete listing, even what it did not see', () => {
    givenPartition([discovered(volume('a')), discovered(volume('b'))]).when(finish(false)).then([]);
  });

  it('does not delete a resource twice', () => {
    givenPartition([discovered(volume('a')), deleted(volume('a'))]).when(finish(true)).then([]);
  });

  it('discovers a resource again when it re-appears after its deletion', () => {
    givenPartition([discovered(volume('a')), deleted(volume('a'))])
      .when(observe(seen(volume('a'))))
      .then([discovered(volume('a'), scanId)]);
  });
});
