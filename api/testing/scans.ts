import { randomUUID } from 'node:crypto';
import type { Position } from '../../domain/eventsourcing/event-store.ts';
import type { ScanPartition, ScanEvent } from '../../projections/scans/events.ts';
import { projected } from '../context.ts';
import type { RunningServer } from '../server.ts';
import type { ApiClient } from './client.ts';

/**
 * Test helpers for scans: a scan's events written straight to the log in the contract's shapes (so
 * the read side is tested without the engine), and a reader of the server-sent event stream.
 */

export const plannedPartitions: ScanPartition[] = [
  { key: 'eu-west-1/ec2-instances', region: 'eu-west-1', collector: 'ec2-instances', types: ['ec2:instance'] },
  { key: 'global/iam', region: 'global', collector: 'iam', types: ['iam:role', 'iam:user'] },
];

/**
 * Appends a whole scan's events in one write, as the engine would have written them over time, and
 * waits until the read models show them. One write, ending finished: the server's scan worker, which
 * reacts to every ScanRequested, then finds the scan finished and leaves it alone.
 */
export async function recordScan(server: RunningServer, orgId: string, scanId: string, events: Array<ScanEvent & { at?: string }>): Promise<Position> {
  const { position } = await server.stores.events.append(
    `scan-${scanId}`,
    events.map(({ at, ...event }) => ({ eventId: randomUUID(), type: event.type, data: event.data, metadata: { occurredAt: at ?? new Date().toISOString(), actor: 'scanner', orgId, correlationId: scanId, causationId: scanId } })),
    { expected: 'no_stream' },
  );
  await projected(server.context, position);
  return position;
}

export const requested = (scanId: string, orgId: string, connectionId: string, requestedBy: string): ScanEvent => ({
  type: 'ScanRequested',
  data: { scanId, orgId, connectionId, accountId: '123456789012', requestedBy, trigger: 'manual', partitions: plannedPartitions },
});

export const partitionFinished = (key: string, outcome: 'ok' | 'denied' | 'failed', errorCode: string | null = null): ScanEvent => {
  const planned = plannedPartitions.find((p) => p.key === key)!;
  return {
    type: 'PartitionFinished',
    data: { key, region: planned.region, collector: planned.collector, outcome, errorCode, message: errorCode && `${errorCode}: not allowed`, discovered: outcome === 'ok' ? 2 : 0, changed: 0, deleted: 0, durationMs: 25 },
  };
};

export const scanFinished = (status: 'completed' | 'partial' | 'failed' | 'cancelled', discovered = 2): ScanEvent => ({
  type: 'ScanFinished',
  data: { status, discovered, changed: 0, deleted: 0, durationMs: 100 },
});

export interface ServerSentEvent {
  event: string;
  data: unknown;
}

/** Opens a scan's event stream as a browser's EventSource would, with the client's session. */
export async function openScanEvents(server: RunningServer, client: ApiClient, path: string, signal?: AbortSignal) {
  const response = await fetch(`${server.url}${path}`, { headers: { accept: 'text/event-stream', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  /** The next event or comment line, or undefined once the server has ended the stream. */
  async function next(): Promise<ServerSentEvent | { comment: string } | undefined> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) return { comment: block.slice(1).trim() };
        const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
        if (fields.event === undefined) continue;
        return { event: fields.event, data: JSON.parse(fields.data ?? 'null') };
      }
      const chunk = await reader.read();
      if (chunk.done) return undefined;
      buffer += chunk.value;
    }
  }
  /** Every event up to and including `end`, and whether the server then closed the stream. */
  async function untilEnd(): Promise<{ events: ServerSentEvent[]; closed: boolean }> {
    const events: ServerSentEvent[] = [];
    for (let item = await next(); item; item = await next()) {
      if (!('event' in item)) continue;
      events.push(item);
      if (item.event === 'end') return { events, closed: (await next()) === undefined };
    }
    return { events, closed: true };
  }
  return { response, next, untilEnd, cancel: () => reader.cancel() };
}
