import { DEFAULT_SCAN_SCHEDULE, type ScanSchedule } from '../domain/connections/scan-schedule.ts';
import type { EventStore, Position, RecordedEvent } from '../domain/eventsourcing/event-store.ts';
import { parseEventOf } from '../domain/eventsourcing/registry.ts';
import type { Document, DocumentStore, DocumentTransaction } from '../domain/read-models/document-store.ts';
import { nextRunAt } from './next-run.ts';

/**
 * The scheduler's own book of schedules, kept from the log by whoever holds the scheduler lease (so
 * it has one writer). It is not a projection: it holds when each schedule last ran, which no event
 * records and no rebuild may lose.
 */
export const SCAN_SCHEDULES = 'scan_schedules';
/** Organisations' timezones as the log told them: a connection's event names only its organisation. */
const TIMEZONES = 'scan_schedule_timezones';
export const SCHEDULER_CHECKPOINT = 'scan-scheduler';

export interface ScanScheduleDocument extends Document {
  orgId: string;
  schedule: ScanSchedule;
  timezone: string;
  /** ISO instant; null when the schedule is off. */
  nextRunAt: string | null;
  lastRunAt: string | null;
}

interface TimezoneDocument extends Document {
  timezone: string;
}

const FOLLOWED = ['OrganizationCreated', 'AwsConnectionCreated', 'ScanScheduleChanged', 'AwsConnectionDeleted'] as const;
const BATCH = 500;

/**
 * Applies what the log says since the checkpoint. Each batch lands with its checkpoint in one unit
 * of work. Next runs count from when the event happened, not from now: replaying gives the same
 * book, and a schedule that came due while nobody was running is simply due now.
 */
export async function catchUp(events: EventStore, documents: DocumentStore): Promise<void> {
  for (;;) {
    const from = (await documents.getCheckpoint(SCHEDULER_CHECKPOINT))?.position as Position | undefined;
    const batch: RecordedEvent[] = [];
    for await (const recorded of events.readAll({ from, max: BATCH, filter: { streamPrefixes: ['org-', 'connection-'], eventTypes: FOLLOWED } })) batch.push(recorded);
    const last = batch.at(-1);
    if (!last) return;
    await documents.unitOfWork(
      async (tx) => {
        for (const recorded of batch) await apply(tx, recorded);
      },
      { checkpoint: { _id: SCHEDULER_CHECKPOINT, position: last.position } },
    );
    if (batch.length < BATCH) return;
  }
}

async function apply(tx: DocumentTransaction, recorded: RecordedEvent): Promise<void> {
  const schedules = tx.collection<ScanScheduleDocument>(SCAN_SCHEDULES);
  const event = parseEventOf(recorded, FOLLOWED);
  if (!event) return;
  const happened = new Date(recorded.metadata.occurredAt);
  const connectionId = recorded.stream.slice('connection-'.length);
  switch (event.type) {
    case 'OrganizationCreated':
      await tx.collection<TimezoneDocument>(TIMEZONES).upsert({ _id: event.data.orgId, timezone: event.data.timezone });
      return;
    case 'AwsConnectionCreated': {
      const timezone = (await tx.collection<TimezoneDocument>(TIMEZONES).get(event.data.orgId))?.timezone ?? 'UTC';
      const next = nextRunAt(DEFAULT_SCAN_SCHEDULE, timezone, happened);
      await schedules.upsert({ _id: connectionId, orgId: event.data.orgId, schedule: DEFAULT_SCAN_SCHEDULE, timezone, nextRunAt: next?.toISOString() ?? null, lastRunAt: null });
      return;
    }
    case 'ScanScheduleChanged': {
      const current = await schedules.get(connectionId);
      if (!current) return;
      const next = nextRunAt(event.data.schedule, current.timezone, happened);
      await schedules.updateMany({ _id: connectionId }, { $set: { schedule: event.data.schedule, nextRunAt: next?.toISOString() ?? null } });
      return;
    }
    case 'AwsConnectionDeleted':
      await schedules.deleteMany({ _id: connectionId });
      return;
  }
}
