import { randomUUID } from 'node:crypto';
import { hasCode } from '../domain/errors.ts';
import type { DocumentStore } from '../domain/read-models/document-store.ts';
import { nextRunAt } from './next-run.ts';
import { claimLease, releaseLease } from './scheduler-lease.ts';
import { catchUp, SCAN_SCHEDULES, type ScanScheduleDocument } from './schedule-book.ts';
import type { ScanEngineDependencies } from './run-scan.ts';
import { requestScan } from './scan-requests.ts';

export interface SchedulerOptions {
  /** Names this process in the lease; unique unless a test says otherwise. */
  owner?: string;
  /** How often the scheduler looks for due schedules: the lateness of a scheduled scan at worst. */
  intervalMs?: number;
  /** How long a silent lease holder keeps others waiting: several intervals, so one slow tick does not lose it. */
  leaseMs?: number;
  /** No timer: rounds run only when `tick` is called (tests drive time themselves). */
  manual?: boolean;
}

export interface RunningScheduler {
  /** One round now: claim the lease, catch up with the log, request the due scans. How many it requested. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

type SchedulerDependencies = Pick<ScanEngineDependencies, 'events' | 'now' | 'collectors' | 'logger'> & { documents: DocumentStore };

/**
 * Requests scheduled scans. Durable: the schedules and their next runs live in the document store,
 * so a restart picks up where the last process stopped; a schedule that came due meanwhile (once
 * or many times) runs once, and its next run counts from now, never a burst of missed runs. Only
 * the holder of the scheduler lease works, so several processes never run one schedule twice.
 */
export function startScheduler(deps: SchedulerDependencies, options: SchedulerOptions = {}): RunningScheduler {
  const owner = options.owner ?? randomUUID();
  const intervalMs = options.intervalMs ?? 30_000;
  const leaseMs = options.leaseMs ?? Math.max(3 * intervalMs, 60_000);
  const log = deps.logger.child({ worker: 'scheduler' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** Rounds run one after another, whether from the timer or a test. */
  let rounds: Promise<unknown> = Promise.resolve();

  async function round(): Promise<number> {
    const now = deps.now();
    if (!(await claimLease(deps.documents, owner, now, leaseMs))) return 0;
    await catchUp(deps.events, deps.documents);
    const schedules = deps.documents.collection<ScanScheduleDocument>(SCAN_SCHEDULES);
    const due = await schedules.find({ nextRunAt: { $lte: now.toISOString() } }, { sort: [['nextRunAt', 1]] });
    let requested = 0;
    for (const schedule of due) {
      if (stopped) break;
      try {
        // A scan already running is joined: the account is never listed twice at once.
        await requestScan(deps, { orgId: schedule.orgId, connectionId: schedule._id, actor: { kind: 'system', process: 'scheduler' }, trigger: 'schedule' });
        requested++;
      } catch (error) {
        // A connection deleted since the last catch-up is dropped by the next one; anything else is tried again next round.
        if (!hasCode(error, 'NOT_FOUND')) {
          log.error({ err: error, connectionId: schedule._id }, 'requesting a scheduled scan failed; trying again next round');
          continue;
        }
      }
      // Only if the schedule is still the one we ran: a change meanwhile has set its own next run.
      const next = nextRunAt(schedule.schedule, schedule.timezone, now)?.toISOString() ?? null;
      await schedules.updateMany({ _id: schedule._id, nextRunAt: schedule.nextRunAt }, { $set: { nextRunAt: next, lastRunAt: now.toISOString() } });
    }
    return requested;
  }

  const tick = (): Promise<number> => {
    const run = rounds.then(() => (stopped ? 0 : round()));
    rounds = run.catch(() => undefined);
    return run;
  };

  const loop = (delayMs: number) => {
    timer = setTimeout(() => {
      void tick()
        .catch((error: unknown) => log.error({ err: error }, 'a scheduler round failed; trying again next round'))
        .finally(() => {
          if (!stopped) loop(intervalMs);
        });
    }, delayMs);
    timer.unref();
  };
  // The first round at once: what came due while no process ran is requested on start.
  if (!options.manual) loop(0);

  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await rounds;
      await releaseLease(deps.documents, owner).catch((error: unknown) => log.warn({ err: error }, 'releasing the scheduler lease failed; it expires by itself'));
    },
  };
}
