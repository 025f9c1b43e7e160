/**
 * The scan stream's events (domain/scans/scan.ts, owned by the scan engine) as the read models
 * use them; the projection ignores any event type it does not know.
 */
export type { PartitionOutcome, ScanEvent, ScanPartition, ScanStatus, ScanTrigger } from '../../domain/scans/scan.ts';
export type { PartitionFinishedData, ScanRequestedData } from '../../domain/scans/scan.ts';

export const SCAN_STREAM_PREFIX = 'scan-';
