import { cancelScan, requestScan } from '../../scanner/scan-requests.ts';
import type { AppContext } from '../context.ts';
import type { ScanEngine } from './engine.ts';

/** The scan engine (scanner/scan-requests.ts) bound to the application's log, clock and ids. */
export function scanEngineOf(ctx: AppContext): ScanEngine {
  const deps = { events: ctx.events, now: ctx.now, newId: ctx.newId };
  return {
    requestScan: (input) => requestScan(deps, input),
    cancelScan: (input) => cancelScan(deps, input),
  };
}
