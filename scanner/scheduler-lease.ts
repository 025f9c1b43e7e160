import type { DocumentStore, Document } from '../domain/read-models/document-store.ts';

/** Who runs the scheduler, until when: one process at a time, another takes over once it expires. */
export const SCHEDULER_LEASE = 'scheduler_lease';
const LEASE_ID = 'scheduler';

interface LeaseDocument extends Document {
  owner: string;
  until: string;
}

const FREE = new Date(0).toISOString();

/**
 * Takes or renews the lease. The claim is one conditional update of one document (atomic on both
 * stores): it only matches when the lease is ours or has expired, so two processes cannot both win.
 */
export async function claimLease(documents: DocumentStore, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  const leases = documents.collection<LeaseDocument>(SCHEDULER_LEASE);
  // The first scheduler ever creates the lease free; in a unit of work, so a creation never
  // overwrites a lease another process has just taken (a transaction on SQLite and replica sets).
  if (!(await leases.get(LEASE_ID))) await documents.unitOfWork(async (tx) => {
    const inTx = tx.collection<LeaseDocument>(SCHEDULER_LEASE);
    if (!(await inTx.get(LEASE_ID))) await inTx.upsert({ _id: LEASE_ID, owner: '', until: FREE });
  });
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const claimed = await leases.updateMany({ _id: LEASE_ID, $or: [{ owner }, { until: { $lte: now.toISOString() } }] }, { $set: { owner, until } });
  return claimed === 1;
}

/** Gives the lease up at once, so a restarted process need not wait for it to expire. */
export async function releaseLease(documents: DocumentStore, owner: string): Promise<void> {
  await documents.collection<LeaseDocument>(SCHEDULER_LEASE).updateMany({ _id: LEASE_ID, owner }, { $set: { owner: '', until: FREE } });
}
