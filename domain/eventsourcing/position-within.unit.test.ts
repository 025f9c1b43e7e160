import { describe, expect, it } from 'vitest';
import { comparePositions, positionWithin, type Position } from './event-store.ts';

// Positions as the adapters write them: SQLite's sequence and EventStoreDB's commit-prepare, zero-padded.
const sqlite = (n: number) => String(n).padStart(20, '0') as Position;
const esdb = (commit: number, prepare: number) => `${String(commit).padStart(20, '0')}-${String(prepare).padStart(20, '0')}` as Position;

describe('positionWithin', () => {
  it.each([
    ['sqlite', [sqlite(9), sqlite(10), sqlite(11), sqlite(100)]],
    ['esdb', [esdb(9, 9), esdb(9, 10), esdb(10, 1), esdb(100, 0)]],
  ])('places the steps of an event after it and before every later position (%s)', (_adapter, log) => {
    const steps = ['', '-', 'A', 'a', 'zzzz', '~'.repeat(40)];
    const ordered = log.flatMap((position) => [position, ...steps.map((step) => positionWithin(position, step))]);
    const sorted = [...ordered].sort(comparePositions);
    expect(sorted).toEqual(ordered);
    // A store's string order is the same order.
    expect([...ordered].sort()).toEqual(ordered);
  });
});
